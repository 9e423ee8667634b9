// Small inline SVG icons (no icon font, nothing fetched). Decorative: the
// controls that use them carry their own labels.
import type { ReactElement } from 'react';

const paths: Record<string, string> = {
  dashboard: 'M3 13h8V3H3zm0 8h8v-6H3zm10 0h8V11h-8zm0-18v6h8V3z',
  queue: 'M3 5h18v2H3zm0 6h18v2H3zm0 6h12v2H3z',
  workers: 'M4 4h16v10H4zm2 2v6h12V6zM8 18h8v2H8zM11 14h2v4h-2z',
  rules: 'M4 6h10v2H4zm0 5h16v2H4zm0 5h7v2H4zm13-11l3 2-3 2z',
  scanner: 'M10 3a7 7 0 015.6 11.2l5.1 5.1-1.4 1.4-5.1-5.1A7 7 0 1110 3zm0 2a5 5 0 100 10 5 5 0 000-10z',
  settings:
    'M12 8a4 4 0 110 8 4 4 0 010-8zm9 5v-2l-2.2-.5a7 7 0 00-.7-1.7l1.2-1.9-1.4-1.4-1.9 1.2a7 7 0 00-1.7-.7L14 3h-2l-.5 2.2a7 7 0 00-1.7.7L7.9 4.7 6.5 6.1l1.2 1.9a7 7 0 00-.7 1.7L3 11v2l2.2.5c.2.6.4 1.2.7 1.7l-1.2 1.9 1.4 1.4 1.9-1.2c.5.3 1.1.5 1.7.7L10 21h2l.5-2.2c.6-.2 1.2-.4 1.7-.7l1.9 1.2 1.4-1.4-1.2-1.9c.3-.5.5-1.1.7-1.7z',
  models: 'M12 2l9 5v10l-9 5-9-5V7zm0 2.3L5 8.2v7.6l7 3.9 7-3.9V8.2z',
  menu: 'M3 6h18v2H3zm0 5h18v2H3zm0 5h18v2H3z',
  close: 'M6.4 5L12 10.6 17.6 5 19 6.4 13.4 12l5.6 5.6-1.4 1.4L12 13.4 6.4 19 5 17.6 10.6 12 5 6.4z',
  folder: 'M3 5h7l2 2h9v12H3z',
  file: 'M6 2h8l5 5v15H6zm7 1.5V8h4.5z',
  up: 'M12 5l7 7h-4v7H9v-7H5z',
  refresh: 'M17.7 6.3A8 8 0 1020 12h-2a6 6 0 11-1.8-4.2L13 11h7V4z',
  plus: 'M11 5h2v6h6v2h-6v6h-2v-6H5v-2h6z',
  trash: 'M9 3h6l1 2h4v2H4V5h4zm-3 6h12l-1 12H7z',
  edit: 'M4 17.2V20h2.8l8.3-8.3-2.8-2.8zM20.7 7a1 1 0 000-1.4l-2.3-2.3a1 1 0 00-1.4 0l-1.8 1.8 3.7 3.7z',
  play: 'M8 5v14l11-7z',
  stop: 'M6 6h12v12H6z',
  retry: 'M12 5V1L7 6l5 5V7a5 5 0 11-5 5H5a7 7 0 107-7z',
  copy: 'M8 3h11v13H8zm2 2v9h7V5zM5 7h2v12h9v2H5z',
  download: 'M11 3h2v10l3.5-3.5 1.4 1.4L12 16.8l-5.9-5.9 1.4-1.4L11 13zM4 19h16v2H4z',
  sun: 'M12 7a5 5 0 110 10 5 5 0 010-10zm-1-6h2v3h-2zm0 19h2v3h-2zM1 11h3v2H1zm19 0h3v2h-3z',
  moon: 'M12 3a9 9 0 109 9 7 7 0 01-9-9z',
  logout: 'M10 3h10v18H10v-2h8V5h-8zm-1 5l1.4 1.4L8.8 11H16v2H8.8l1.6 1.6L9 16l-4-4z',
  health: 'M3 12h4l2-5 4 10 2-5h6v2h-4.6L13 19 9 9l-.6 1.5L8.4 14H3z',
};

export type IconName = keyof typeof paths;

export function Icon({ name, size = 18 }: { name: IconName; size?: number }): ReactElement {
  return (
    <svg className="icon" width={size} height={size} viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path d={paths[name]} fill="currentColor" />
    </svg>
  );
}
