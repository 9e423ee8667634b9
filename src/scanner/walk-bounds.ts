/**
 * What keeps a library walk inside the library: symlinks are followed only
 * when their real target lies inside the roots being scanned, and the
 * kernel's pseudo-filesystems are never entered — not by name (a root of `/`),
 * not by a bind mount inside a library (same device as /proc, or a proc,
 * sysfs, cgroup... file system found at a mount boundary).
 */
import type { Stats } from 'node:fs';
import { stat, statfs } from 'node:fs/promises';
import { isPseudoFilesystem, isWithin, PSEUDO_FILESYSTEMS, realPathOf } from '../security/media-roots.js';

// statfs(2) magic numbers of kernel file systems that hold no media and may be endless.
const PSEUDO_FS_TYPES = new Set([
  0x9fa0, // proc
  0x62656572, // sysfs
  0x1cd1, // devpts
  0x27e0eb, // cgroup
  0x63677270, // cgroup2
  0x64626720, // debugfs
  0x74726163, // tracefs
  0x73636673, // securityfs
  0x6165676c, // pstore
  0xcafe4a11, // bpf
  0x62656570, // configfs
  0x19800202, // mqueue
  0x42494e4d, // binfmt_misc
  0x65735543, // fusectl
]);

export interface WalkBounds {
  /** the real paths of the roots being scanned */
  readonly roots: string[];
  /** why a symlink whose real target is `real` must not be followed, or null when it may */
  linkRefusal(real: string): string | null;
  /** true for a folder on a pseudo-filesystem; `parentDev` is the device of the folder it was found in */
  isSystemFolder(path: string, st: Stats, parentDev?: number): Promise<boolean>;
}

export const SYSTEM_FOLDER_ISSUE = `system folder (${PSEUDO_FILESYSTEMS.join(', ')}), not media: not scanned`;

export async function walkBounds(roots: string[]): Promise<WalkBounds> {
  const real = await Promise.all(roots.map((r) => realPathOf(r)));
  const devs = await pseudoDevices();
  return {
    roots: real,
    linkRefusal(target) {
      if (isPseudoFilesystem(target)) return `symlink leads into a system folder (-> ${target})`;
      if (!real.some((r) => isWithin(target, r))) return `symlink leads outside the library (-> ${target})`;
      return null;
    },
    async isSystemFolder(path, st, parentDev) {
      if (isPseudoFilesystem(path) || devs.has(st.dev)) return true;
      // Only a mount boundary can change the file system type: one statfs per mount, not per folder.
      if (parentDev !== undefined && st.dev === parentDev) return false;
      try {
        return PSEUDO_FS_TYPES.has(Number((await statfs(path)).type));
      } catch {
        return false;
      }
    },
  };
}

/**
 * The devices of kernel pseudo-filesystems (/proc, /sys, /dev) where each is a mount of its own
 * (in a container /dev can be a plain folder of the root file system, whose
 * device must not be refused).
 */
async function pseudoDevices(): Promise<Set<number>> {
  const out = new Set<number>();
  let rootDev: number;
  try {
    rootDev = (await stat('/')).dev;
  } catch {
    return out;
  }
  for (const p of PSEUDO_FILESYSTEMS) {
    try {
      const dev = (await stat(p)).dev;
      if (dev !== rootDev) out.add(dev);
    } catch {
      /* not there on this system */
    }
  }
  return out;
}
