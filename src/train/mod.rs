//! Training pix2pix from a folder of target images.

pub mod data;
