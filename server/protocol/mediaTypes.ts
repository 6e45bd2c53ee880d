import { z } from 'zod';
import type { DtlsParameters, RtpCapabilities, RtpParameters } from 'mediasoup/types';

/*
 * Shapes of the WebRTC parameter objects a browser sends. zod checks the structure here;
 * mediasoup checks the semantics (codecs, payload types) and its TypeErrors become bad_request.
 * z.custom carries mediasoup's own static type only after the structural check has passed.
 */

const rtcpFeedback = z.object({ type: z.string(), parameter: z.string().optional() });

const codecShape = z.looseObject({
  mimeType: z.string().regex(/^(audio|video)\/.+/),
  payloadType: z.number().int().min(0).max(127).optional(),
  preferredPayloadType: z.number().int().min(0).max(127).optional(),
  clockRate: z.number().int().positive(),
  channels: z.number().int().positive().optional(),
  parameters: z.record(z.string(), z.unknown()).optional(),
  rtcpFeedback: z.array(rtcpFeedback).optional(),
});

const headerExtensionShape = z.looseObject({
  uri: z.string(),
  id: z.number().int().optional(),
  preferredId: z.number().int().optional(),
});

const rtpParametersShape = z.looseObject({
  mid: z.string().optional(),
  codecs: z.array(codecShape.extend({ payloadType: z.number().int().min(0).max(127) })).min(1),
  headerExtensions: z.array(headerExtensionShape).optional(),
  encodings: z.array(z.looseObject({ ssrc: z.number().int().optional(), rid: z.string().optional() })).optional(),
  rtcp: z.looseObject({ cname: z.string().optional() }).optional(),
});

const rtpCapabilitiesShape = z.looseObject({
  codecs: z.array(codecShape).optional(),
  headerExtensions: z.array(headerExtensionShape).optional(),
});

const dtlsParametersShape = z.object({
  role: z.enum(['auto', 'client', 'server']).optional(),
  fingerprints: z
    .array(z.object({ algorithm: z.enum(['sha-1', 'sha-224', 'sha-256', 'sha-384', 'sha-512']), value: z.string() }))
    .min(1),
});

function structural<T>(shape: z.ZodType, message: string) {
  return z.custom<T>((value) => shape.safeParse(value).success, { message });
}

export const rtpParameters = structural<RtpParameters>(rtpParametersShape, 'Invalid RTP parameters');
export const rtpCapabilities = structural<RtpCapabilities>(rtpCapabilitiesShape, 'Invalid RTP capabilities');
export const dtlsParameters = structural<DtlsParameters>(dtlsParametersShape, 'Invalid DTLS parameters');

export type { DtlsParameters, RtpCapabilities, RtpParameters };
export type { IceCandidate, IceParameters, SctpParameters } from 'mediasoup/types';
