// Side-effect imports: each module registers its background component with
// registerBackground() (see background.ts). One line per component.
export {};
