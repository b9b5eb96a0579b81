//! What the window shows: the output alone, or beside the look and the camera.

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ViewMode {
    /// The output alone, filling the window.
    #[default]
    Output,
    /// The look beside the output.
    LookOutput,
    /// Camera, look and output in a row.
    All,
}

impl ViewMode {
    pub fn next(self) -> Self {
        match self {
            Self::Output => Self::LookOutput,
            Self::LookOutput => Self::All,
            Self::All => Self::Output,
        }
    }
}

impl std::str::FromStr for ViewMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "output" => Ok(Self::Output),
            "look-output" | "side-by-side" => Ok(Self::LookOutput),
            "all" => Ok(Self::All),
            other => Err(format!("unknown view `{other}` (output, look-output, all)")),
        }
    }
}

impl ViewMode {
    /// The OSC and MIDI index: 0 output, 1 look + output, 2 camera + look + output.
    pub fn index(self) -> usize {
        match self {
            Self::Output => 0,
            Self::LookOutput => 1,
            Self::All => 2,
        }
    }

    pub fn from_index(index: usize) -> Self {
        match index {
            0 => Self::Output,
            1 => Self::LookOutput,
            _ => Self::All,
        }
    }
}
