/** RTP send parameters as a browser would produce them, for socket tests that publish without a browser. */
let ssrc = 50_000;

export function opusParameters() {
  return {
    codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
    encodings: [{ ssrc: ++ssrc }],
    rtcp: { cname: `audio-${ssrc}` },
  };
}

export function vp8Parameters() {
  return {
    codecs: [
      {
        mimeType: 'video/VP8',
        payloadType: 101,
        clockRate: 90000,
        rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }],
      },
    ],
    encodings: [{ ssrc: ++ssrc }],
    rtcp: { cname: `video-${ssrc}` },
  };
}
