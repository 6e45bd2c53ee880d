/**
 * The public report's receipt as a PNG the citizen keeps (保存为图片): case number, query code,
 * time and where to query, drawn on a canvas and downloaded. Only what the page already shows.
 */
export interface ReceiptImageText {
  title: string;
  caseNumberLabel: string;
  caseNumber: string;
  queryCodeLabel: string;
  queryCode: string;
  receivedAt: string;
  where: string;
}

export function drawReceipt(text: ReceiptImageText, scale = 2): HTMLCanvasElement {
  const width = 360;
  const height = 300;
  const canvas = document.createElement('canvas');
  canvas.width = width * scale;
  canvas.height = height * scale;
  const g = canvas.getContext('2d');
  if (!g) throw new Error('no 2d canvas');
  g.scale(scale, scale);
  g.fillStyle = '#ffffff';
  g.fillRect(0, 0, width, height);
  g.strokeStyle = '#c9d3e0';
  g.lineWidth = 1;
  g.strokeRect(8.5, 8.5, width - 17, height - 17);
  g.textAlign = 'center';
  g.textBaseline = 'alphabetic';
  const font = (size: number, weight = 400) => `${weight} ${size}px "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif`;
  const line = (s: string, y: number, size: number, color: string, weight = 400) => {
    g.font = font(size, weight);
    g.fillStyle = color;
    g.fillText(s, width / 2, y, width - 40);
  };
  line(text.title, 48, 20, '#1b7f4b', 700);
  line(text.caseNumberLabel, 88, 14, '#5b6472');
  line(text.caseNumber, 118, 24, '#111827', 700);
  line(text.queryCodeLabel, 156, 14, '#5b6472');
  line(text.queryCode, 190, 30, '#111827', 700);
  line(text.receivedAt, 232, 13, '#5b6472');
  line(text.where, 258, 13, '#5b6472');
  return canvas;
}

/** Draws the receipt and starts the download of `<caseNumber>.png`. */
export async function downloadReceipt(text: ReceiptImageText): Promise<void> {
  const canvas = drawReceipt(text);
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
  if (!blob) throw new Error('could not encode the receipt');
  const url = URL.createObjectURL(blob);
  try {
    const a = document.createElement('a');
    a.href = url;
    a.download = `${text.caseNumber}.png`;
    document.body.appendChild(a);
    a.click();
    a.remove();
  } finally {
    // The download has been handed to the browser; the object URL can go after this turn.
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }
}
