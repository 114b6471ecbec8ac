//! The desk's API client for the administration only the server does
//! (doctors' records, staff, invitations, clinic settings), against the real
//! server: a change to these endpoints that breaks the desktop app breaks
//! this test.

mod common;

use clinic_client::ApiClient;
use clinic_core::Role;
use clinic_core::api::auth::NewInvitation;
use clinic_core::api::clinic::UpdateClinic;
use clinic_core::api::doctors::{NewDoctor, UpdateDoctor};
use clinic_core::api::staff::UpdateStaff;
use common::spawn_app;
use secrecy::SecretString;

#[tokio::test]
async fn the_desk_client_runs_the_clinic_administration() {
    let app = spawn_app().await;
    let clinic = app.signup("Clínica Sol", "owner@sol.example").await;
    let nurse = app
        .add_staff(&clinic, Role::Reception, "desk@sol.example")
        .await;
    let api = ApiClient::new(&format!("http://{}", app.addr))
        .expect("api")
        .with_token(SecretString::from(clinic.admin.token.clone()));

    // Doctors' records.
    let doctor = api
        .create_doctor(
            clinic.id,
            &NewDoctor {
                full_name: "Dra. Elena García".into(),
                specialties: vec!["Cardiology".into()],
                user_id: None,
            },
        )
        .await
        .expect("doctor created");
    let renamed = api
        .update_doctor(
            clinic.id,
            doctor.id,
            &UpdateDoctor {
                full_name: Some("Dra. Elena García Ruiz".into()),
                ..UpdateDoctor::default()
            },
        )
        .await
        .expect("doctor updated");
    assert_eq!(renamed.full_name, "Dra. Elena García Ruiz");
    assert_eq!(renamed.specialties, vec!["Cardiology".to_owned()]);

    // Staff: every member, a role change, a removal.
    let staff = api.staff(clinic.id).await.expect("staff");
    assert_eq!(staff.len(), 2);
    let promoted = api
        .change_role(clinic.id, nurse.user_id, &UpdateStaff { role: Role::Admin })
        .await
        .expect("role changed");
    assert_eq!(promoted.role, Role::Admin);
    api.remove_member(clinic.id, nurse.user_id)
        .await
        .expect("removed");
    assert_eq!(api.staff(clinic.id).await.expect("staff").len(), 1);

    // Invitations: invite, list, revoke.
    let invited = api
        .invite(
            clinic.id,
            &NewInvitation {
                email: "new.doctor@sol.example".into(),
                role: Role::Doctor,
            },
        )
        .await
        .expect("invited");
    let open = api.invitations(clinic.id).await.expect("invitations");
    assert_eq!(
        open.iter().map(|i| i.id).collect::<Vec<_>>(),
        vec![invited.id]
    );
    api.revoke_invitation(clinic.id, invited.id)
        .await
        .expect("revoked");
    assert!(api.invitations(clinic.id).await.expect("none").is_empty());

    // Clinic settings: a change, and a refusal that names its field.
    let saved = api
        .update_clinic(
            clinic.id,
            &UpdateClinic {
                name: Some("Clínica Sol y Mar".into()),
                ..UpdateClinic::default()
            },
        )
        .await
        .expect("settings saved");
    assert_eq!(saved.name, "Clínica Sol y Mar");
    let refused = api
        .update_clinic(
            clinic.id,
            &UpdateClinic {
                time_zone: Some("Mars/Base".into()),
                ..UpdateClinic::default()
            },
        )
        .await
        .expect_err("unknown zone");
    assert_eq!(refused.code(), "invalid");
    let error = clinic_client::Error::from(refused);
    assert_eq!(error.view().field.as_deref(), Some("time_zone"));

    // A member without the permission gets the server's code.
    let reception = app
        .add_staff(&clinic, Role::Reception, "front@sol.example")
        .await;
    let as_reception = ApiClient::new(&format!("http://{}", app.addr))
        .expect("api")
        .with_token(SecretString::from(reception.token));
    let denied = as_reception
        .staff(clinic.id)
        .await
        .expect_err("reception may not manage staff");
    assert_eq!(denied.code(), "not_permitted");
}
