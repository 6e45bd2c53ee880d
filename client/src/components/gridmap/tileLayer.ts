import type { ECharts } from 'echarts/core';
import { project, tilesInView } from './tiles.ts';

/*
 * The raster tiles (GRID_MAP_TILE_URL) under the grids, as ECharts image graphics below the geo
 * component, placed from the geo's own view: two known points through convertToPixel give the
 * view's scale and offset in Web Mercator world units, from which the tiles that cover the canvas
 * follow. Redrawn after every roam and resize and when a tile arrives. Chosen over a DOM layer
 * under the canvas (a small Leaflet of our own) because the grids, tiles and clicks stay in one
 * canvas and one coordinate system, and over a second map library because this is the whole of
 * what the map needs from tiles.
 *
 * Tiles are loaded without crossOrigin: an intranet tile server often sends no CORS headers, and
 * an image loaded with crossOrigin from such a server fails. The price, a canvas that cannot be
 * read back, costs nothing here (the map never exports itself). A tile that fails to load is left
 * out (the grids are drawn over the empty background) and not asked for again.
 */

/** Loaded (an image), failed (null) or under way (absent from the cache, in `loading`). */
type Cached = HTMLImageElement | null;
const CACHE_LIMIT = 400;

export class TileLayer {
  readonly #chart: ECharts;
  readonly #template: string;
  readonly #cache = new Map<string, Cached>();
  readonly #loading = new Set<string>();
  #anchors: [[number, number], [number, number]] | undefined;
  #frame = 0;
  #disposed = false;

  constructor(chart: ECharts, template: string) {
    this.#chart = chart;
    this.#template = template;
  }

  /** Two lng/lat points far enough apart to measure the view (e.g. opposite corners of the grids). */
  setAnchors(anchors: [[number, number], [number, number]] | undefined): void {
    this.#anchors = anchors;
  }

  /** Places the tiles for the chart's current view (after setOption, a roam or a resize). */
  draw(): void {
    if (this.#disposed || !this.#anchors) return;
    const [a, b] = this.#anchors;
    const pa = this.#chart.convertToPixel({ geoIndex: 0 }, a) as number[] | undefined;
    const pb = this.#chart.convertToPixel({ geoIndex: 0 }, b) as number[] | undefined;
    if (!pa || !pb) return;
    const [wa, wb] = [project(a), project(b)];
    const scale = (pb[0]! - pa[0]!) / (wb[0] - wa[0]);
    const view = { scale, offsetX: pa[0]! - scale * wa[0], offsetY: pa[1]! - scale * wa[1], width: this.#chart.getWidth(), height: this.#chart.getHeight() };
    const elements = [];
    for (const tile of tilesInView(view, this.#template)) {
      const image = this.#image(tile.url);
      if (!image) continue;
      elements.push({
        type: 'image' as const,
        id: `tile:${tile.z}/${tile.x}/${tile.y}`,
        silent: true,
        z: -10,
        style: { image, x: tile.left, y: tile.top, width: tile.width, height: tile.height },
      });
    }
    this.#chart.setOption({ graphic: { elements } }, { replaceMerge: ['graphic'], lazyUpdate: false });
  }

  dispose(): void {
    this.#disposed = true;
    cancelAnimationFrame(this.#frame);
  }

  /** The tile's image when loaded; otherwise starts loading it (once) and answers null. */
  #image(url: string): HTMLImageElement | null {
    const cached = this.#cache.get(url);
    if (cached !== undefined || this.#loading.has(url)) return cached ?? null;
    this.#loading.add(url);
    const image = new Image();
    image.decoding = 'async';
    const settle = (loaded: boolean) => {
      this.#loading.delete(url);
      if (this.#cache.size >= CACHE_LIMIT) this.#cache.delete(this.#cache.keys().next().value!);
      this.#cache.set(url, loaded ? image : null);
      if (loaded) this.#redrawSoon();
    };
    image.onload = () => settle(true);
    image.onerror = () => settle(false);
    image.src = url;
    return null;
  }

  #redrawSoon(): void {
    if (this.#frame !== 0 || this.#disposed) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.draw();
    });
  }
}
