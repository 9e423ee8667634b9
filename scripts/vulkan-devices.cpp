// ggml-vulkan-devices: the Vulkan devices ggml would use, by the index that
// whisper.cpp's `-dev` takes (built beside the Vulkan engine by
// build-whisper.mjs; src/system/gpus.ts reads it). While it starts, ggml
// prints `ggml_vulkan: N = NAME (DRIVER) | uma: ...` on stderr; stdout has
// one line per device: index, description, free and total memory in bytes.
// CPU-type devices (lavapipe) are listed only when GGML_VK_VISIBLE_DEVICES
// names them, as in the engine itself.
#include "ggml-vulkan.h"

#include <cstdio>

int main() {
    const int n = ggml_backend_vk_get_device_count();
    for (int i = 0; i < n; i++) {
        char description[256] = {0};
        size_t free = 0;
        size_t total = 0;
        ggml_backend_vk_get_device_description(i, description, sizeof description);
        ggml_backend_vk_get_device_memory(i, &free, &total);
        std::printf("%d\t%s\t%zu\t%zu\n", i, description, free, total);
    }
    return 0;
}
