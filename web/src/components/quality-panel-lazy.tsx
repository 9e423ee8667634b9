// The quality panel is fetched the first time a page shows one: the lists
// need only the score badge, and the panel and its passages stay out of the
// first download.
import { lazy, Suspense, type ComponentProps, type ReactNode } from 'react';
import { Loading } from './bits';
import type { QualityPanel as Panel } from './quality-panel';

const LoadedPanel = lazy(() => import('./quality-panel').then((m) => ({ default: m.QualityPanel })));

export function QualityPanel(props: ComponentProps<typeof Panel>): ReactNode {
  return (
    <Suspense fallback={<Loading label="Loading the quality report…" />}>
      <LoadedPanel {...props} />
    </Suspense>
  );
}
