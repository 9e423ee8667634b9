// Types of build-stamp.mjs for the tests (the script itself runs under plain node, before anything is compiled).
export interface BuildTarget {
  label: string;
  root: string;
  inputs: string[];
  skip(rel: string): boolean;
  stampFile: string;
  outputs(sources: string[]): string[];
}
export type SourceStamp = Record<string, string>;
export function sourceStamp(target: BuildTarget): SourceStamp;
export function staleReason(target: BuildTarget, stamp?: SourceStamp): string | null;
export function outputMissing(target: BuildTarget, stamp?: SourceStamp): boolean;
export function writeStamp(target: BuildTarget, stamp: SourceStamp): void;
export function serverTarget(root: string): BuildTarget;
export function webTarget(root: string): BuildTarget;
