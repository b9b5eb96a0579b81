//! The one table of the show's continuous parameters. OSC parsing, OSCQuery, preset
//! validation, the keys, MIDI and the overlay all read it: adding a parameter is one row here
//! plus its use.

/// Continuous parameters: each has a native range and takes a controller's 0..1 too.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Param {
    Brightness,
    Contrast,
    Downscale,
    Smoothing,
    Crossfade,
}

/// How a controller's 0..1 maps onto the native range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NormMap {
    Linear,
    /// Equal fader travel per doubling (downscale spends as much travel on 1..8 as on 8..64).
    Exponential,
}

/// What a key press does to a parameter: the keys, and the step each press takes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Keys {
    pub down: char,
    pub up: char,
    pub step: Step,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Step {
    Add(f32),
    Times(f32),
}

/// One row of the table.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ParamSpec {
    pub param: Param,
    /// Also the OSC address (`/lts/<name>`, and `/lts/<name>/norm` for 0..1) and the preset key.
    pub name: &'static str,
    /// Native range, inclusive.
    pub min: f32,
    pub max: f32,
    pub default: f32,
    pub unit: &'static str,
    pub norm: NormMap,
    pub keys: Option<Keys>,
    /// Whether MIDI learn can bind a knob to it.
    pub midi_learnable: bool,
    pub description: &'static str,
}

pub const PARAMS: [ParamSpec; 5] = [
    ParamSpec {
        param: Param::Brightness,
        name: "brightness",
        min: -1.0,
        max: 1.0,
        default: 0.0,
        unit: "",
        norm: NormMap::Linear,
        keys: Some(Keys {
            down: ',',
            up: '.',
            step: Step::Add(0.02),
        }),
        midi_learnable: true,
        description: "Added to the grey look after contrast",
    },
    ParamSpec {
        param: Param::Contrast,
        name: "contrast",
        min: 0.0,
        max: 4.0,
        default: 1.0,
        unit: "×",
        norm: NormMap::Linear,
        keys: Some(Keys {
            down: '-',
            up: '=',
            step: Step::Add(0.05),
        }),
        midi_learnable: true,
        description: "Multiplies the grey look around mid-grey",
    },
    ParamSpec {
        param: Param::Downscale,
        name: "downscale",
        min: 1.0,
        max: 64.0,
        default: 24.0,
        unit: "×",
        norm: NormMap::Exponential,
        keys: Some(Keys {
            down: '[',
            up: ']',
            step: Step::Times(1.1),
        }),
        midi_learnable: true,
        description: "How coarse the look is: the frame is shrunk by this factor and blown up",
    },
    ParamSpec {
        param: Param::Smoothing,
        name: "smoothing",
        min: 0.0,
        max: 0.99,
        default: 0.5,
        unit: "",
        norm: NormMap::Linear,
        keys: None,
        midi_learnable: true,
        description: "Temporal smoothing of the output (0 none, 0.99 very slow)",
    },
    ParamSpec {
        param: Param::Crossfade,
        name: "crossfade",
        min: 0.0,
        max: 30.0,
        default: 1.0,
        unit: "s",
        norm: NormMap::Linear,
        keys: None,
        midi_learnable: true,
        description: "Seconds of crossfade when the model or preset changes",
    },
];

impl Param {
    pub const ALL: [Param; 5] = [
        Param::Brightness,
        Param::Contrast,
        Param::Downscale,
        Param::Smoothing,
        Param::Crossfade,
    ];

    pub fn spec(self) -> &'static ParamSpec {
        PARAMS
            .iter()
            .find(|spec| spec.param == self)
            .expect("every parameter has a row in PARAMS")
    }

    pub fn name(self) -> &'static str {
        self.spec().name
    }

    pub fn from_name(name: &str) -> Option<Self> {
        PARAMS.iter().find(|s| s.name == name).map(|s| s.param)
    }

    /// The parameter a key nudges, and which way (`true` up).
    pub fn for_key(key: char) -> Option<(Self, bool)> {
        PARAMS.iter().find_map(|spec| {
            let keys = spec.keys?;
            (keys.down == key)
                .then_some((spec.param, false))
                .or((keys.up == key).then_some((spec.param, true)))
        })
    }

    /// Native range, inclusive.
    pub fn range(self) -> (f32, f32) {
        (self.spec().min, self.spec().max)
    }

    pub fn clamp(self, value: f32) -> f32 {
        let (lo, hi) = self.range();
        value.clamp(lo, hi)
    }

    /// Whether `value` is a valid native value (presets refuse what is not).
    pub fn check(self, value: f32) -> Result<(), String> {
        let (lo, hi) = self.range();
        if value.is_finite() && (lo..=hi).contains(&value) {
            Ok(())
        } else {
            Err(format!(
                "{} must be within {lo}..{hi}{}, got {value}",
                self.name(),
                self.spec().unit
            ))
        }
    }

    /// One key press from `value`, clamped to the range.
    pub fn nudge(self, value: f32, up: bool) -> f32 {
        let Some(keys) = self.spec().keys else {
            return value;
        };
        let next = match (keys.step, up) {
            (Step::Add(step), true) => value + step,
            (Step::Add(step), false) => value - step,
            (Step::Times(factor), true) => value * factor,
            (Step::Times(factor), false) => value / factor,
        };
        self.clamp(next)
    }

    /// Maps a controller's 0..1 onto the native range.
    pub fn from_norm(self, norm: f32) -> f32 {
        let norm = norm.clamp(0.0, 1.0);
        let (lo, hi) = self.range();
        match self.spec().norm {
            NormMap::Exponential => lo * (hi / lo).powf(norm),
            NormMap::Linear => lo + (hi - lo) * norm,
        }
    }

    pub fn to_norm(self, value: f32) -> f32 {
        let (lo, hi) = self.range();
        let value = self.clamp(value);
        match self.spec().norm {
            NormMap::Exponential => (value / lo).ln() / (hi / lo).ln(),
            NormMap::Linear => (value - lo) / (hi - lo),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_parameter_has_one_row_and_its_default_is_in_range() {
        for param in Param::ALL {
            let rows = PARAMS.iter().filter(|s| s.param == param).count();
            assert_eq!(rows, 1, "{param:?}");
            assert_eq!(Param::from_name(param.name()), Some(param));
            param.check(param.spec().default).unwrap();
        }
    }

    #[test]
    fn norm_round_trips_and_keys_step_within_range() {
        for param in Param::ALL {
            for norm in [0.0, 0.25, 0.5, 1.0] {
                let back = param.to_norm(param.from_norm(norm));
                assert!((back - norm).abs() < 1e-4, "{param:?} {norm} → {back}");
            }
            let (lo, hi) = param.range();
            if param.spec().keys.is_some() {
                assert_eq!(param.nudge(hi, true), hi);
                assert_eq!(param.nudge(lo, false), lo);
            }
        }
        assert_eq!(Param::for_key('['), Some((Param::Downscale, false)));
        assert_eq!(Param::for_key('.'), Some((Param::Brightness, true)));
        assert_eq!(Param::for_key('q'), None);
        assert!(Param::Crossfade.check(20.0).is_ok());
        assert!(Param::Downscale.check(f32::NAN).is_err());
    }
}
