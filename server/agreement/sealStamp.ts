import { FONT, SEAL_RED, type Doc } from './layout.ts';

/**
 * The visible appearance of the organisation's electronic seal: a red round stamp with the
 * organisation's name along the upper arc, a five-pointed star and 电子印章 underneath.
 * It is only a picture; the cryptographic seal is the PDF signature added by seal.ts.
 */
export function drawSealStamp(doc: Doc, cx: number, cy: number, radius: number, orgName: string, label = '电子印章'): void {
  const chars = [...orgName];
  const { x: savedX, y: savedY } = doc;
  doc.save();
  doc.fillColor(SEAL_RED, 0.85).strokeColor(SEAL_RED, 0.85);

  doc
    .lineWidth(radius * 0.055)
    .circle(cx, cy, radius - radius * 0.03)
    .stroke();

  // Name along the arc, centred on the top, clockwise from left to right.
  const textRadius = radius * 0.76;
  const span = Math.min(250, 24 * chars.length); // degrees of arc used
  const step = chars.length > 1 ? span / (chars.length - 1) : 0;
  const arcPerChar = (2 * Math.PI * textRadius * span) / 360 / Math.max(chars.length, 1);
  const size = Math.max(6, Math.min(radius * 0.3, arcPerChar * 0.92));
  doc.font(FONT.bold).fontSize(size);
  chars.forEach((ch, i) => {
    const deg = chars.length > 1 ? -span / 2 + i * step : 0; // 0 = straight up, + clockwise
    const rad = (deg * Math.PI) / 180;
    const x = cx + textRadius * Math.sin(rad);
    const y = cy - textRadius * Math.cos(rad);
    const w = doc.widthOfString(ch);
    doc.save();
    doc.rotate(deg, { origin: [x, y] });
    // Glyph box centred on (x, y) before rotation; baseline is toward the centre.
    doc.text(ch, x - w / 2, y - size * 0.5, { lineBreak: false });
    doc.restore();
  });

  // Star.
  const outer = radius * 0.27;
  const inner = outer * 0.382;
  const starY = cy + radius * 0.05;
  const points: Array<[number, number]> = [];
  for (let k = 0; k < 10; k++) {
    const r = k % 2 === 0 ? outer : inner;
    const a = (k * Math.PI) / 5;
    points.push([cx + r * Math.sin(a), starY - r * Math.cos(a)]);
  }
  doc.polygon(...points).fill();

  // Label under the star.
  const labelSize = radius * 0.17;
  doc.font(FONT.bold).fontSize(labelSize);
  const lw = doc.widthOfString(label);
  doc.text(label, cx - lw / 2, cy + radius * 0.42, { lineBreak: false });
  doc.restore();
  doc.x = savedX;
  doc.y = savedY;
}
