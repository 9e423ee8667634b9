// Types of whisper-vulkan.mjs for the tests (the script itself runs under plain node, at install).
export const VULKAN_SOURCE_FILE: string;
export function patchVulkanSource(text: string): string;
export function vulkanCacheRoot(env?: NodeJS.ProcessEnv): string;
export function vulkanCacheKey(src: string, version: string, flags: string[]): string;
export function prepareVulkanSource(src: string, cacheDir: string): string;
export function pruneVulkanCaches(root: string, keep: string, days?: number): void;
export function vulkanMissing(env?: NodeJS.ProcessEnv): string[];
export function vulkanShaderCount(src: string): number;
export function vulkanAutoBuild(src: string | null, env?: NodeJS.ProcessEnv): boolean;
export const VULKAN_PROBE: string;
export function vulkanProbeArgs(src: string, buildDir: string, out: string): string[];
