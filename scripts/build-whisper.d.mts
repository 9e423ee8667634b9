// Types of build-whisper.mjs for the tests (the script itself runs under plain node, at install).
export type WhisperVariant = 'cpu' | 'cuda' | 'vulkan';
export function findSource(): string | null;
export function cudaWanted(): boolean;
export function buildState(variant: WhisperVariant, src?: string | null): string | null;
export function buildLogPath(variant: WhisperVariant): string;
export function buildVariant(variant: WhisperVariant, opts?: { force?: boolean }): Promise<void>;
