import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';
import type { ECharts } from 'echarts/core';
import { ScatterChart } from 'echarts/charts';
import { GeoComponent, GraphicComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import type { GeoPoint, GridFeature, GridMapResponse } from '@protocol/grids.ts';
import { shadeOf, type MapLayer } from './shading.ts';
import { TileLayer } from './tileLayer.ts';
import { project, unproject } from './tiles.ts';

echarts.use([GeoComponent, GraphicComponent, ScatterChart, TooltipComponent, CanvasRenderer]);

/*
 * The city drawn from its own grids (no tile server on a government intranet): the grids' GeoJSON
 * registered as an ECharts map, each grid shaded by the chosen layer, centres as points. A click
 * on a grid selects it. Where a tile server is configured (tileUrl), its tiles are drawn under the
 * grids (tileLayer.ts): the grids are then projected with Web Mercator, as tiles are, and shaded
 * translucent so the streets show through. Tooltips are drawn on the canvas (richText): the
 * page's CSP allows no inline styles, which HTML tooltips would need.
 */

interface Props {
  data: GridMapResponse;
  layer: MapLayer;
  selected: string | null;
  onSelect: (code: string) => void;
  /** Grid codes to frame (a grid worker's own grids); all when empty. */
  focus: readonly string[];
  labels: { centre: string; open: string; red: string };
  /** Point picking (the new-case form): a click or tap anywhere on the map gives its lng/lat, and grids are not selected. */
  onPoint?: (point: GeoPoint) => void;
  /** The picked point, drawn as a pin. */
  point?: GeoPoint | null;
  testId?: string;
}

/** A pointer that moved further than this between press and release was dragging the map, not picking. */
const DRAG_PX = 6;
const POINT_COLOUR = '#c8232c';

const pointSeries = (point: GeoPoint | null | undefined) => ({
  id: 'point',
  type: 'scatter' as const,
  coordinateSystem: 'geo',
  symbol: 'pin',
  symbolSize: 34,
  silent: true,
  z: 5,
  itemStyle: { color: POINT_COLOUR },
  data: point ? [{ value: [point.lng, point.lat] }] : [],
});

const MAP_NAME = 'cm-grid-city';
/** Six decimals of a degree: about 0.1 m, finer than a click. */
const round6 = (n: number) => Math.round(n * 1e6) / 1e6;
const mercator = { project, unproject };
/** The grids' opacity over tiles: the shading stays readable, the streets under it too. */
const OVER_TILES_OPACITY = 0.75;
let registered: string | null = null;

function register(features: readonly GridFeature[]): void {
  const key = features.map((f) => f.id).join(',') + features.length;
  if (registered === key) return;
  // ECharts names regions by properties.name: the grid code, unique.
  echarts.registerMap(MAP_NAME, {
    type: 'FeatureCollection',
    features: features.map((f) => ({ type: 'Feature', properties: { name: f.properties.code }, geometry: f.geometry })),
  } as unknown as Parameters<typeof echarts.registerMap>[1]);
  registered = key;
}

function boundsOf(features: readonly GridFeature[]): [[number, number], [number, number]] | undefined {
  let minLng = Infinity;
  let minLat = Infinity;
  let maxLng = -Infinity;
  let maxLat = -Infinity;
  for (const f of features) {
    const polygons = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
    for (const [lng, lat] of polygons.flat(2) as unknown as Array<[number, number]>) {
      minLng = Math.min(minLng, lng);
      maxLng = Math.max(maxLng, lng);
      minLat = Math.min(minLat, lat);
      maxLat = Math.max(maxLat, lat);
    }
  }
  if (!Number.isFinite(minLng)) return undefined;
  const padLng = (maxLng - minLng) * 0.04;
  const padLat = (maxLat - minLat) * 0.04;
  return [
    [minLng - padLng, maxLat + padLat],
    [maxLng + padLng, minLat - padLat],
  ];
}

export function GridMapChart({ data, layer, selected, onSelect, focus, labels, onPoint, point, testId = 'grid-map' }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<ECharts | null>(null);
  const tiles = useRef<TileLayer | null>(null);
  const tileUrl = data.tileUrl;
  const select = useRef(onSelect);
  select.current = onSelect;
  const pick = useRef(onPoint);
  pick.current = onPoint;
  const pointNow = useRef(point);
  /** What the view was framed on: while the same, a redraw (another layer, a selection) keeps the user's zoom and pan. */
  const framedOn = useRef<{ data: GridMapResponse; focus: string } | null>(null);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const instance = echarts.init(el, undefined, { renderer: 'canvas' });
    chart.current = instance;
    instance.on('click', (e) => {
      if (!pick.current && e.componentType === 'geo' && typeof e.name === 'string' && e.name !== '') select.current(e.name);
    });
    // Picking listens to the canvas itself: a click between or around the grids is a point too.
    const zr = instance.getZr();
    let pressed: [number, number] | null = null;
    zr.on('mousedown', (e) => {
      pressed = [e.offsetX, e.offsetY];
    });
    zr.on('click', (e) => {
      const moved = pressed !== null && Math.hypot(e.offsetX - pressed[0], e.offsetY - pressed[1]) > DRAG_PX;
      pressed = null;
      if (!pick.current || moved) return;
      const at = instance.convertFromPixel({ geoIndex: 0 }, [e.offsetX, e.offsetY]) as number[] | undefined;
      if (at && Number.isFinite(at[0]) && Number.isFinite(at[1])) pick.current({ lng: round6(at[0]!), lat: round6(at[1]!) });
    });
    const layer = tileUrl ? new TileLayer(instance, tileUrl) : null;
    tiles.current = layer;
    if (layer) instance.on('georoam', () => layer.draw());
    const resize = new ResizeObserver(() => {
      // A box of no size (hidden, being removed, a browser resizing its viewport) has no view:
      // ECharts' geo transform would not invert.
      if (el.clientWidth === 0 || el.clientHeight === 0) return;
      instance.resize();
      layer?.draw();
    });
    resize.observe(el);
    return () => {
      resize.disconnect();
      layer?.dispose();
      instance.dispose();
      chart.current = null;
      tiles.current = null;
    };
  }, [tileUrl]);

  useEffect(() => {
    const instance = chart.current;
    if (!instance) return;
    const features = data.grids.features;
    register(features);
    const framed = focus.length > 0 ? features.filter((f) => focus.includes(f.properties.code)) : features;
    const byCode = new Map(features.map((f) => [f.properties.code, f]));
    const bounds = boundsOf(framed);
    const overTiles = tiles.current !== null;
    const sameFrame = framedOn.current?.data === data && framedOn.current.focus === focus.join(',');
    const roamed = sameFrame ? (instance.getOption() as { geo?: Array<{ center?: unknown; zoom?: unknown }> }).geo?.[0] : undefined;
    framedOn.current = { data, focus: focus.join(',') };
    instance.setOption(
      {
        animation: false,
        tooltip: { show: true, trigger: 'item', renderMode: 'richText' },
        geo: {
          map: MAP_NAME,
          roam: true,
          triggerEvent: true,
          boundingCoords: bounds,
          ...(overTiles ? { projection: mercator } : {}),
          ...(roamed?.center ? { center: roamed.center, zoom: roamed.zoom } : {}),
          layoutCenter: ['50%', '50%'],
          layoutSize: '96%',
          selectedMode: false,
          label: {
            show: true,
            fontSize: 10,
            color: '#33404d',
            formatter: (p: { name: string }) => byCode.get(p.name)?.properties.name.replace(/^.*?(第.+网格)$/, '$1') ?? '',
          },
          itemStyle: { borderColor: '#ffffff', borderWidth: 1.2 },
          emphasis: { label: { show: true }, itemStyle: { areaColor: '#b9dde3' } },
          tooltip: {
            formatter: (p: { name: string }) => {
              const g = byCode.get(p.name)?.properties;
              if (!g) return p.name;
              return `${g.name}\n${g.community ?? ''} · ${g.code}\n${labels.open} ${g.counts.open} · ${labels.red} ${g.counts.red}`;
            },
          },
          regions: features.map((f) => {
            const on = f.properties.code === selected;
            const mine = f.properties.mine;
            return {
              name: f.properties.code,
              itemStyle: {
                areaColor: shadeOf(layer, f.properties),
                borderColor: on ? '#083c47' : mine ? '#137a8a' : '#ffffff',
                borderWidth: on ? 3 : mine ? 2 : 1.2,
                ...(overTiles ? { opacity: OVER_TILES_OPACITY } : {}),
              },
            };
          }),
        },
        series: [
          {
            type: 'scatter',
            coordinateSystem: 'geo',
            symbol: 'pin',
            symbolSize: 26,
            itemStyle: { color: '#0f6473' },
            tooltip: { formatter: (p: { name: string }) => `${labels.centre}\n${p.name}` },
            id: 'centres',
            data: data.centres.map((c) => ({ name: c.name, value: [c.lng, c.lat] })),
          },
          pointSeries(pointNow.current),
        ],
      },
      { notMerge: true },
    );
    tiles.current?.setAnchors(bounds);
    tiles.current?.draw();
  }, [data, layer, selected, focus, labels]);

  // The pin alone, merged: picking a point keeps the map's zoom and pan.
  useEffect(() => {
    pointNow.current = point;
    chart.current?.setOption({ series: [pointSeries(point)] });
  }, [point]);

  return <div ref={box} className={`gridmap__canvas${onPoint ? ' gridmap__canvas--picker' : ''}`} data-testid={testId} data-layer={layer} />;
}
