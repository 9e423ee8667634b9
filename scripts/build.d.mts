// Types of build.mjs for the tests (the script itself runs under plain node, before anything is compiled).
export function build(o?: { root?: string; force?: boolean; which?: Array<'server' | 'web'>; write?: (s: string) => void }): number;
