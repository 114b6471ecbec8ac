//! Another desk of the same clinic, acting over the server's REST API (what
//! the `desk` CLI's client does), straight to the server, not through the
//! app's link.

use clinic_core::api::appointments::{AppointmentView, BookAppointment};
use clinic_core::api::auth::{LoginRequest, SessionGranted};
use clinic_core::api::doctors::DoctorView;
use clinic_core::api::page::Page;
use clinic_core::api::patients::PatientView;
use serde::de::DeserializeOwned;

pub struct OtherDesk {
    http: reqwest::Client,
    base: String,
    token: String,
}

async fn json<T: DeserializeOwned>(what: &str, response: reqwest::Response) -> T {
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    assert!(status.is_success(), "{what}: {status}: {body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("{what}: {e}: {body}"))
}

impl OtherDesk {
    pub async fn sign_in(server: &str, email: &str, password: &str) -> OtherDesk {
        let http = reqwest::Client::new();
        let granted: SessionGranted = json(
            "sign in",
            http.post(format!("{server}/v1/sessions"))
                .json(&LoginRequest {
                    email: email.into(),
                    password: password.into(),
                    device_name: "the other desk (e2e)".into(),
                    device_id: None,
                })
                .send()
                .await
                .expect("POST /v1/sessions"),
        )
        .await;
        OtherDesk {
            http,
            base: format!("{server}/v1/clinics/{}", granted.memberships[0].clinic_id),
            token: granted.token,
        }
    }

    async fn get<T: DeserializeOwned>(&self, path: &str, query: &[(&str, &str)]) -> T {
        json(
            path,
            self.http
                .get(format!("{}{path}", self.base))
                .bearer_auth(&self.token)
                .query(query)
                .send()
                .await
                .unwrap_or_else(|e| panic!("GET {path}: {e}")),
        )
        .await
    }

    pub async fn doctor(&self, full_name: &str) -> DoctorView {
        let page: Page<DoctorView> = self.get("/doctors", &[("limit", "100")]).await;
        page.items
            .into_iter()
            .find(|d| d.full_name == full_name)
            .unwrap_or_else(|| panic!("no doctor {full_name:?} in the clinic"))
    }

    /// The first patient whose name matches `query`.
    pub async fn patient(&self, query: &str) -> PatientView {
        let page: Page<PatientView> = self.get("/patients", &[("q", query)]).await;
        page.items
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no patient matches {query:?}"))
    }

    pub async fn book(&self, booking: &BookAppointment) -> AppointmentView {
        json(
            "booking",
            self.http
                .post(format!("{}/appointments", self.base))
                .bearer_auth(&self.token)
                .json(booking)
                .send()
                .await
                .expect("POST appointments"),
        )
        .await
    }
}
