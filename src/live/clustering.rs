//! Light clustering on the CPU. The show draws no lit 3D scene, yet Bevy 0.19 clusters lights on
//! the GPU for every camera by default: five passes and a read-back to the CPU each frame. That
//! read-back also keeps a handle to every staging buffer it hands out (in bevy_pbr 0.19.1,
//! `metadata_staging_pending_buffers` is pushed to each frame and never emptied), so the show's
//! heap grew by about 50 bytes a frame: the last +1 MB an hour the soak measured, found with
//! heaptrack. Bevy's CPU path (its fallback where compute shaders are missing) has no lights to
//! sort here, so it costs nothing.

use bevy::light::cluster::GlobalClusterSettings;
use bevy::prelude::{App, Plugin, ResMut, Startup};

/// Turns Bevy's GPU light clustering off once the renderer has chosen its settings.
pub struct CpuClusteringPlugin;

impl Plugin for CpuClusteringPlugin {
    fn build(&self, app: &mut App) {
        app.add_systems(Startup, cluster_on_cpu);
    }
}

fn cluster_on_cpu(settings: Option<ResMut<GlobalClusterSettings>>) {
    if let Some(mut settings) = settings {
        settings.gpu_clustering = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bevy::light::cluster::GlobalClusterGpuSettings;

    fn settings_with_gpu_clustering() -> GlobalClusterSettings {
        GlobalClusterSettings {
            supports_storage_buffers: true,
            clustered_decals_are_usable: false,
            gpu_clustering: Some(GlobalClusterGpuSettings {
                initial_z_slice_list_capacity: 1024,
                initial_index_list_capacity: 1024,
            }),
            max_uniform_buffer_clusterable_objects: 256,
            view_cluster_bindings_max_indices: 1024,
        }
    }

    #[test]
    fn the_first_frame_clusters_on_the_cpu() {
        let mut app = App::new();
        app.insert_resource(settings_with_gpu_clustering())
            .add_plugins(CpuClusteringPlugin);
        app.update();
        let settings = app.world().resource::<GlobalClusterSettings>();
        assert!(settings.gpu_clustering.is_none());
        assert!(
            settings.supports_storage_buffers,
            "the rest is left as the renderer chose"
        );
    }

    #[test]
    fn a_renderer_without_clustering_is_left_alone() {
        let mut app = App::new();
        app.add_plugins(CpuClusteringPlugin);
        app.update();
        assert!(!app.world().contains_resource::<GlobalClusterSettings>());
    }
}
