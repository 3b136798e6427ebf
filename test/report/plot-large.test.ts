/** Charts of many points: the rows of a panel used to be appended with push(...rows), which overflowed the stack. */
import { describe, expect, it } from 'vitest';
import { renderFacetedLineChart } from '../../lib/report/plot';

describe('renderFacetedLineChart with a very long series', () => {
  it('renders a panel of 300,000 points (a RangeError before: Maximum call stack size exceeded)', async () => {
    const points = Array.from({ length: 300_000 }, (_, i) => ({ x: i, y: (i % 100) / 100 }));
    const svg = await renderFacetedLineChart({ xTitle: 'epoch', yTitle: 'accuracy', panels: [{ title: 'long', series: [{ name: 's', points }] }] });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('long');
  }, 60_000);
});
