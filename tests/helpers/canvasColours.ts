import type { Page } from 'playwright-core';

/**
 * In the first canvas under `selector`: for each colour (exact RGB), how many pixels have it (every
 * second pixel, both ways) and where its median pixel is, in CSS px of the page (to click there).
 */
export async function canvasColours(page: Page, selector: string, colours: number[][]): Promise<Array<{ count: number; x: number; y: number }>> {
  return page
    .locator(`${selector} canvas`)
    .first()
    .evaluate((canvas: HTMLCanvasElement, wanted) => {
      const { data, width, height } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
      const rect = canvas.getBoundingClientRect();
      return wanted.map(([r, g, b]) => {
        const xs: number[] = [];
        const ys: number[] = [];
        for (let y = 0; y < height; y += 2) {
          for (let x = 0; x < width; x += 2) {
            const i = (y * width + x) * 4;
            if (data[i] === r && data[i + 1] === g && data[i + 2] === b) {
              xs.push(x);
              ys.push(y);
            }
          }
        }
        // The median pixel, inline: a named helper would be renamed by the test runner's transform with a function the page lacks.
        xs.sort((a, c) => a - c);
        ys.sort((a, c) => a - c);
        const midX = xs[Math.floor(xs.length / 2)] ?? 0;
        const midY = ys[Math.floor(ys.length / 2)] ?? 0;
        return { count: xs.length, x: rect.left + (midX * rect.width) / width, y: rect.top + (midY * rect.height) / height };
      });
    }, colours);
}
