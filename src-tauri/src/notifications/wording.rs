//! The notices' words, in the language the person chose (the UI's
//! language setting; `system` follows the locale).

use crate::settings::Language;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Es,
}

impl Lang {
    /// The language of `setting`; `system` reads the process locale.
    pub fn of(setting: Language) -> Lang {
        match setting {
            Language::En => Lang::En,
            Language::Es => Lang::Es,
            Language::System => Lang::from_locale(system_locale().as_deref()),
        }
    }

    /// `es_ES.UTF-8`, `es`, `es-MX` → Spanish; anything else English.
    pub fn from_locale(locale: Option<&str>) -> Lang {
        match locale {
            Some(l) if l.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("es")) => Lang::Es,
            _ => Lang::En,
        }
    }

    pub fn reminder_summary(self, local_start: &str) -> String {
        match self {
            Lang::En => format!("Next appointment at {local_start}"),
            Lang::Es => format!("Próxima cita a las {local_start}"),
        }
    }

    pub fn reminder_body(self, patient: Option<&str>, minutes: i64) -> String {
        match self {
            Lang::En => format!("{}, in {minutes} min", patient.unwrap_or("A patient")),
            Lang::Es => format!("{}, en {minutes} min", patient.unwrap_or("Un paciente")),
        }
    }

    pub fn one_refused(self) -> &'static str {
        match self {
            Lang::En => "A change was refused by the server",
            Lang::Es => "El servidor rechazó un cambio",
        }
    }

    pub fn many_refused(self, count: usize) -> String {
        match self {
            Lang::En => format!("{count} changes were refused by the server"),
            Lang::Es => format!("El servidor rechazó {count} cambios"),
        }
    }

    pub fn open_the_inbox(self) -> &'static str {
        match self {
            Lang::En => "Open the conflict inbox to settle them.",
            Lang::Es => "Abra la bandeja de conflictos para resolverlos.",
        }
    }
}

/// The locale as POSIX ranks it: `LC_ALL`, then `LC_MESSAGES`, then `LANG`.
fn system_locale() -> Option<String> {
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spanish_locales_are_spanish_and_the_rest_english() {
        assert_eq!(Lang::from_locale(Some("es_ES.UTF-8")), Lang::Es);
        assert_eq!(Lang::from_locale(Some("ES-mx")), Lang::Es);
        assert_eq!(Lang::from_locale(Some("en_GB.UTF-8")), Lang::En);
        assert_eq!(Lang::from_locale(Some("C")), Lang::En);
        assert_eq!(Lang::from_locale(None), Lang::En);
        assert_eq!(Lang::of(Language::Es), Lang::Es);
    }
}
