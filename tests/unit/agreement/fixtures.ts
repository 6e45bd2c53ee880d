import { deflateSync } from 'node:zlib';
import { crc32, PNG_SIGNATURE } from '../../../server/agreement/png.ts';
import { revisionHash, type AgreementRevision } from '../../../server/agreement/canonical.ts';
import type { RenderAgreementInput } from '../../../server/agreement/render.ts';

export const sampleRevision = (): AgreementRevision => ({
  caseNumber: '（2026）沪0101民调字第0427号',
  title: '人民调解协议书',
  parties: [
    { side: '申请人', name: '张晓明' },
    { side: '被申请人', name: '李建国' },
  ],
  facts:
    '申请人张晓明于2025年3月起租住被申请人李建国所有的上海市黄浦区外滩路18号302室，月租金人民币4,500元，押金9,000元。' +
    '2026年9月租期届满，申请人退租后，被申请人以房屋墙面及家具损坏为由拒绝退还押金，双方因此发生纠纷。\n' +
    '申请人认为房屋损耗属于正常使用所致；被申请人认为部分损坏系申请人使用不当造成，需要维修。',
  clauses: [
    '被申请人李建国于2026年12月10日前向申请人张晓明退还押金人民币6,500元。',
    '申请人张晓明同意由押金中扣除人民币2,500元，作为房屋墙面修补及家具维修费用。',
    '双方就本租赁合同再无其他争议，今后不得就同一事由再行主张权利。',
  ],
  performance: '被申请人通过银行转账方式，将上述款项一次性支付至申请人指定的银行账户（开户行：中国工商银行上海外滩支行）。',
  breach: '被申请人未按期足额支付的，除应支付上述款项外，还应按未付金额每日万分之五向申请人支付违约金，申请人可依法申请司法确认并申请强制执行。',
  organisation: '上海市黄浦区外滩街道人民调解委员会',
  mediator: '王丽华',
});

// --- a tiny PNG encoder, so the fixture needs no image library (CRC and signature from the server's PNG check) ---

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0;
    Buffer.from(rgba.buffer, rgba.byteOffset + y * width * 4, width * 4).copy(raw, y * (width * 4 + 1) + 1);
  }
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** A handwriting-like scribble on a transparent background (what the signing pad uploads). */
export function scribblePng(seed: number, width = 360, height = 120): Buffer {
  const px = new Uint8Array(width * height * 4);
  const dot = (cx: number, cy: number, r: number): void => {
    for (let y = Math.floor(cy - r); y <= cy + r; y++) {
      for (let x = Math.floor(cx - r); x <= cx + r; x++) {
        if (x < 0 || y < 0 || x >= width || y >= height) continue;
        const d = Math.hypot(x - cx, y - cy);
        if (d > r) continue;
        const i = (y * width + x) * 4;
        const a = Math.min(255, Math.round(255 * Math.min(1, r - d + 0.5)));
        px[i] = 20;
        px[i + 1] = 24;
        px[i + 2] = 60;
        px[i + 3] = Math.max(px[i + 3]!, a);
      }
    }
  };
  const strokes = 3 + (seed % 2);
  for (let s = 0; s < strokes; s++) {
    const x0 = 20 + s * ((width - 40) / strokes);
    const w = (width - 60) / strokes;
    for (let t = 0; t <= 1; t += 0.002) {
      const x = x0 + w * t + 10 * Math.sin(t * 9 + seed + s);
      const y = height / 2 + (height / 3) * Math.sin(t * (5 + seed + s) + s) * Math.cos(t * 3 + seed);
      dot(x, y, 2.2 + Math.sin(t * 7) * 0.6);
    }
  }
  return encodePng(width, height, px);
}

export async function sampleInput(rev: AgreementRevision = sampleRevision()): Promise<RenderAgreementInput> {
  const hash = revisionHash(rev);
  const at = (iso: string): Date => new Date(iso);
  return {
    revision: rev,
    completedAt: at('2026-11-26T08:47:12Z'),
    signatures: [
      { signerName: '张晓明', role: '当事人', side: '申请人', signedAt: at('2026-11-26T08:41:03Z'), imagePng: scribblePng(1) },
      { signerName: '李建国', role: '当事人', side: '被申请人', signedAt: at('2026-11-26T08:43:37Z'), imagePng: scribblePng(2) },
      { signerName: '王丽华', role: '人民调解员', signedAt: at('2026-11-26T08:47:12Z'), imagePng: scribblePng(3) },
    ],
    certificate: {
      caseNumber: rev.caseNumber,
      revisionHash: hash,
      events: [
        { signer: '张晓明', role: '申请人', at: at('2026-11-26T08:41:03Z'), ip: '203.0.113.24', method: '手写签名（视频调解室内，短信验证码核身）' },
        { signer: '李建国', role: '被申请人', at: at('2026-11-26T08:43:37Z'), ip: '2001:db8:4a1f:100::17', method: '手写签名（视频调解室内，人脸核身）' },
        { signer: '王丽华', role: '人民调解员', at: at('2026-11-26T08:47:12Z'), ip: '198.51.100.8', method: '手写签名（调解员账号登录）' },
      ],
      timelineHash: 'b5d4045c3f466fa91fe2cc6abe79232a1a57cdf104f7a26e716e0a1e2789df78',
      verificationCode: 'K7QM-4XRP-9TWD',
      verifyUrl: 'https://tiaojie.example.cn/verify/K7QM-4XRP-9TWD',
    },
    seal: {
      name: '上海市黄浦区外滩街道人民调解委员会 电子印章',
      location: '上海市黄浦区',
      contactInfo: '021-63210000',
    },
  };
}
