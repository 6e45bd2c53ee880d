import type { GridFeatureProperties, PatrolFrequency } from '@protocol/grids.ts';

/** What the grids are shaded by. */
export const mapLayers = ['open', 'red', 'patrol'] as const;
export type MapLayer = (typeof mapLayers)[number];

/** Quiet for none, warmer for more: 0, 1, 2, 3+ open cases. */
export const openShades = ['#e9eef3', '#fde3c3', '#f7b26e', '#e07b28'] as const;
/** No red light, then 1, 2+ red lights. */
export const redShades = ['#e9eef3', '#f19a9a', '#c8232c'] as const;
export const patrolShades: Record<PatrolFrequency, string> = { high: '#6a4c9c', medium: '#a48fcb', low: '#ddd3ee' };

const step = (shades: readonly string[], n: number) => shades[Math.min(n, shades.length - 1)]!;

const shade: Record<MapLayer, (g: Pick<GridFeatureProperties, 'counts' | 'patrolFrequency'>) => string> = {
  open: (g) => step(openShades, g.counts.open),
  red: (g) => step(redShades, g.counts.red),
  patrol: (g) => patrolShades[g.patrolFrequency],
};

export function shadeOf(layer: MapLayer, g: Pick<GridFeatureProperties, 'counts' | 'patrolFrequency'>): string {
  return shade[layer](g);
}

/** The legend of a layer: colour and what it stands for (a count, or a patrol frequency). */
export function legendOf(layer: MapLayer): Array<{ colour: string; value: string }> {
  if (layer === 'patrol') return (['high', 'medium', 'low'] as const).map((f) => ({ colour: patrolShades[f], value: f }));
  const shades = layer === 'open' ? openShades : redShades;
  return shades.map((colour, n) => ({ colour, value: n === shades.length - 1 ? `${n}+` : String(n) }));
}
