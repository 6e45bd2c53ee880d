/**
 * Child process for bench/encryptedConsumers.ts: hosts WebRTC subscribers (werift: ICE + DTLS +
 * SRTP in TypeScript), one RTCPeerConnection each, and counts the RTP packets each one decrypts.
 *
 * The parent talks over the IPC channel (see SubscriberRequest / SubscriberReply). For `add` it
 * sends what mediasoup-client would get from a server — the WebRtcTransport's ICE and DTLS
 * parameters and the consumers' RTP parameters — and this process turns them into the SFU's SDP
 * offer (ICE-lite, sendonly), answers it, and replies with its DTLS fingerprint for
 * `transport.connect()`. `connected` follows once DTLS is up and every track has received RTP.
 *
 * usage: node --import tsx bench/weriftSubscribers.ts   (forked with an IPC channel)
 */
import dgram from 'node:dgram';
import { syncBuiltinESMExports } from 'node:module';
import { RTCPeerConnection, RTCRtpCodecParameters, type MediaStreamTrack } from 'werift';

// Receive buffers of 2 MiB (capped by net.core.rmem_max) on werift's UDP sockets, as a browser's
// media sockets have: on a shared 2-core machine a subscriber process is sometimes not scheduled
// for tens of ms, and the default ~200 kB buffer would overflow and count as loss.
const RECV_BUFFER_BYTES = 2 * 1024 * 1024;
const createSocket = dgram.createSocket;
dgram.createSocket = ((type: dgram.SocketType | dgram.SocketOptions, listener?: (msg: Buffer, rinfo: dgram.RemoteInfo) => void) =>
  createSocket(
    typeof type === 'string' ? { type, recvBufferSize: RECV_BUFFER_BYTES } : { recvBufferSize: RECV_BUFFER_BYTES, ...type },
    listener,
  )) as typeof dgram.createSocket;
syncBuiltinESMExports();

export interface SubscriberConsumer {
  kind: 'audio' | 'video';
  payloadType: number;
  mimeType: string;
  clockRate: number;
  channels?: number;
  ssrc: number;
  cname: string;
  rtcpFeedback: { type: string; parameter?: string }[];
}

export type SubscriberRequest =
  | {
      type: 'add';
      id: number;
      ice: { usernameFragment: string; password: string };
      candidates: { ip: string; port: number; protocol: string; priority: number; foundation: string }[];
      fingerprints: { algorithm: string; value: string }[];
      consumers: SubscriberConsumer[];
    }
  | { type: 'counts'; seq: number }
  | { type: 'close'; id: number };

export type SubscriberReply =
  | { type: 'answer'; id: number; fingerprints: { algorithm: string; value: string }[] }
  | { type: 'connected'; id: number; srtpProfile: number | null }
  | { type: 'failed'; id: number; error: string }
  | { type: 'counts'; seq: number; packets: Record<number, [received: number, expected: number]>; cpuUs: number };

/** Per track: RTP packets decrypted, and the extended sequence numbers seen (RFC 3550 A.3 style). */
interface TrackCount {
  received: number;
  first: number;
  max: number;
}

interface Sub {
  pc: RTCPeerConnection;
  tracks: TrackCount[];
}

/** Extended highest sequence number: follows 16-bit wrap-around; late (reordered) packets don't move it. */
function extend(t: TrackCount, seq: number): void {
  const cur = t.max & 0xffff;
  const delta = (seq - cur + 0x10000) & 0xffff;
  if (delta < 0x8000) t.max += delta;
}

/** Packets received and expected (highest − first + 1) over a subscriber's tracks. */
function totals(s: Sub): [number, number] {
  let received = 0;
  let expected = 0;
  for (const t of s.tracks) {
    received += t.received;
    expected += t.max - t.first + 1;
  }
  return [received, expected];
}

const subs = new Map<number, Sub>();

function send(msg: SubscriberReply): void {
  process.send!(msg);
}

function offerSdp(req: Extract<SubscriberRequest, { type: 'add' }>): string {
  const lines = ['v=0', 'o=- 1 1 IN IP4 0.0.0.0', 's=-', 't=0 0', 'a=ice-lite', 'a=msid-semantic: WMS *'];
  for (const f of req.fingerprints) lines.push(`a=fingerprint:${f.algorithm} ${f.value.toUpperCase()}`);
  lines.push(`a=group:BUNDLE ${req.consumers.map((_, i) => i).join(' ')}`);
  req.consumers.forEach((c, mid) => {
    lines.push(
      `m=${c.kind} 7 UDP/TLS/RTP/SAVPF ${c.payloadType}`,
      'c=IN IP4 127.0.0.1',
      `a=ice-ufrag:${req.ice.usernameFragment}`,
      `a=ice-pwd:${req.ice.password}`,
      ...req.candidates.map((k) => `a=candidate:${k.foundation} 1 ${k.protocol} ${k.priority} ${k.ip} ${k.port} typ host`),
      'a=end-of-candidates',
      'a=setup:actpass',
      `a=mid:${mid}`,
      'a=sendonly',
      'a=rtcp-mux',
      'a=rtcp-rsize',
      `a=rtpmap:${c.payloadType} ${c.mimeType.split('/')[1]}/${c.clockRate}${c.channels ? `/${c.channels}` : ''}`,
      ...c.rtcpFeedback.map((fb) => `a=rtcp-fb:${c.payloadType} ${fb.type}${fb.parameter ? ` ${fb.parameter}` : ''}`),
      `a=ssrc:${c.ssrc} cname:${c.cname}`,
      `a=msid:bench ${c.kind}-${c.ssrc}`,
    );
  });
  return `${lines.join('\r\n')}\r\n`;
}

async function add(req: Extract<SubscriberRequest, { type: 'add' }>): Promise<void> {
  const pc = new RTCPeerConnection({
    codecs: {
      audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2 })],
      video: [
        new RTCRtpCodecParameters({
          mimeType: 'video/VP8',
          clockRate: 90000,
          rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }],
        }),
      ],
    },
    headerExtensions: { audio: [], video: [] },
    iceUseIpv6: false,
    iceInterfaceAddresses: { udp4: '127.0.0.1' },
    iceAdditionalHostAddresses: ['127.0.0.1'],
  });
  const sub: Sub = { pc, tracks: [] };
  subs.set(req.id, sub);
  const tracksWithRtp = new Set<MediaStreamTrack>();
  let connectedSent = false;
  const maybeConnected = (): void => {
    if (connectedSent || tracksWithRtp.size < req.consumers.length || pc.connectionState !== 'connected') return;
    connectedSent = true;
    const dtls = pc.getTransceivers()[0]?.receiver.dtlsTransport;
    send({ type: 'connected', id: req.id, srtpProfile: dtls?.dtls?.srtp.srtpProfile ?? null });
  };
  pc.onTrack.subscribe((track) => {
    let count: TrackCount | undefined;
    track.onReceiveRtp.subscribe((rtp) => {
      const seq = rtp.header.sequenceNumber;
      if (!count) {
        count = { received: 0, first: seq, max: seq };
        sub.tracks.push(count);
      }
      count.received++;
      extend(count, seq);
      if (!tracksWithRtp.has(track)) {
        tracksWithRtp.add(track);
        maybeConnected();
      }
    });
  });
  pc.connectionStateChange.subscribe((state) => {
    if (state === 'connected') maybeConnected();
    if (state === 'failed') send({ type: 'failed', id: req.id, error: 'connection failed' });
  });
  await pc.setRemoteDescription({ type: 'offer', sdp: offerSdp(req) });
  const answer = await pc.createAnswer();
  await pc.setLocalDescription(answer);
  const sdp = pc.localDescription?.sdp ?? '';
  const fingerprints = [...sdp.matchAll(/^a=fingerprint:(\S+) (\S+)/gm)].map((m) => ({
    algorithm: m[1]!,
    value: m[2]!,
  }));
  if (fingerprints.length === 0) throw new Error('answer has no DTLS fingerprint');
  send({ type: 'answer', id: req.id, fingerprints });
}

const handlers: { [K in SubscriberRequest['type']]: (m: Extract<SubscriberRequest, { type: K }>) => void } = {
  add: (m) => {
    add(m).catch((err: unknown) => send({ type: 'failed', id: m.id, error: String(err) }));
  },
  counts: (m) => {
    const packets: Record<number, [number, number]> = {};
    for (const [id, s] of subs) packets[id] = totals(s);
    const u = process.cpuUsage();
    send({ type: 'counts', seq: m.seq, packets, cpuUs: u.user + u.system });
  },
  close: (m) => {
    const s = subs.get(m.id);
    subs.delete(m.id);
    void s?.pc.close();
  },
};
process.on('message', (m: SubscriberRequest) => (handlers[m.type] as (r: SubscriberRequest) => void)(m));
process.on('disconnect', () => process.exit(0));
