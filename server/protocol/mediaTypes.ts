import { z } from 'zod';
import type { DtlsParameters, RtpCapabilities, RtpParameters } from 'mediasoup/types';

/*
 * Shapes of the WebRTC parameter objects a browser sends. zod checks the structure and bounds
 * every number, string and list here (what a browser really sends, with room to spare);
 * mediasoup checks the semantics (codecs, payload types) and its TypeErrors become bad_request.
 * z.custom carries mediasoup's own static type only after the structural check has passed;
 * RTP parameters are passed on as parsed, so keys mediasoup does not know never reach it.
 */

const MAX_U32 = 0xffff_ffff;
const payloadType = z.number().int().min(0).max(127);
const ssrc = z.number().int().min(0).max(MAX_U32);
const shortText = z.string().max(64);

/** Codec / header-extension parameters (`profile-level-id`, `apt`, `useinbandfec`…): few, short, scalar. */
const codecParameters = z
  .record(z.string().min(1).max(64), z.union([z.string().max(256), z.number().finite(), z.boolean()]))
  .refine((r) => Object.keys(r).length <= 32, { message: 'At most 32 parameters' });

const rtcpFeedback = z.object({ type: shortText, parameter: shortText.optional() });

const codecShape = z.looseObject({
  mimeType: z.string().regex(/^(audio|video)\/[A-Za-z0-9][A-Za-z0-9._+-]{0,31}$/),
  payloadType: payloadType.optional(),
  preferredPayloadType: payloadType.optional(),
  clockRate: z.number().int().min(1).max(1_000_000),
  channels: z.number().int().min(1).max(8).optional(),
  parameters: codecParameters.optional(),
  rtcpFeedback: z.array(rtcpFeedback).max(16).optional(),
});

/** RFC 8285: one-byte ids are 1..14, two-byte ids 1..255. */
const headerExtensionId = z.number().int().min(1).max(255);
const headerExtensionUri = z.string().min(1).max(256);

const headerExtensionShape = z.looseObject({
  uri: headerExtensionUri,
  id: headerExtensionId.optional(),
  preferredId: headerExtensionId.optional(),
});

const priority = z.enum(['very-low', 'low', 'medium', 'high']);

/** The RTP parameters of a producer, as mediasoup-client sends them. Unknown keys are dropped. */
const rtpParametersShape = z.object({
  /** The m-section id: a short token ('0', '1', …). */
  mid: z
    .string()
    .regex(/^[!-~]{1,32}$/)
    .optional(),
  codecs: z
    .array(
      z.object({
        mimeType: codecShape.shape.mimeType,
        payloadType,
        clockRate: codecShape.shape.clockRate,
        channels: codecShape.shape.channels,
        parameters: codecParameters.optional(),
        rtcpFeedback: z.array(rtcpFeedback).max(16).optional(),
      }),
    )
    .min(1)
    .max(8),
  headerExtensions: z
    .array(z.object({ uri: headerExtensionUri, id: headerExtensionId, encrypt: z.boolean().optional(), parameters: codecParameters.optional() }))
    .max(16)
    .optional(),
  /** One stream, or up to 3 simulcast layers (room to spare: 4). */
  encodings: z
    .array(
      z.object({
        active: z.boolean().optional(),
        ssrc: ssrc.optional(),
        rid: z
          .string()
          .regex(/^[A-Za-z0-9_-]{1,16}$/)
          .optional(),
        codecPayloadType: payloadType.optional(),
        rtx: z.object({ ssrc }).optional(),
        dtx: z.boolean().optional(),
        scalabilityMode: z
          .string()
          .regex(/^[A-Za-z0-9_]{1,16}$/)
          .optional(),
        scaleResolutionDownBy: z.number().min(1).max(64).optional(),
        maxBitrate: z.number().min(1).max(100_000_000).optional(),
        maxFramerate: z.number().min(0).max(240).optional(),
        adaptivePtime: z.boolean().optional(),
        priority: priority.optional(),
        networkPriority: priority.optional(),
      }),
    )
    .min(1)
    .max(4)
    .optional(),
  /** RFC 3550: an SDES item (the CNAME) is at most 255 octets. */
  rtcp: z.object({ cname: z.string().max(255).optional(), reducedSize: z.boolean().optional(), mux: z.boolean().optional() }).optional(),
});

const rtpCapabilitiesShape = z.looseObject({
  codecs: z.array(codecShape).max(128).optional(),
  headerExtensions: z.array(headerExtensionShape).max(64).optional(),
});

const dtlsParametersShape = z.object({
  role: z.enum(['auto', 'client', 'server']).optional(),
  fingerprints: z
    .array(z.object({ algorithm: z.enum(['sha-1', 'sha-224', 'sha-256', 'sha-384', 'sha-512']), value: z.string().max(200) }))
    .min(1)
    .max(8),
});

function structural<T>(shape: z.ZodType, message: string) {
  return z.custom<T>((value) => shape.safeParse(value).success, { message });
}

export const rtpParameters = rtpParametersShape.transform((parsed) => parsed as unknown as RtpParameters);
export const rtpCapabilities = structural<RtpCapabilities>(rtpCapabilitiesShape, 'Invalid RTP capabilities');
export const dtlsParameters = structural<DtlsParameters>(dtlsParametersShape, 'Invalid DTLS parameters');

export type { DtlsParameters, RtpCapabilities, RtpParameters };
export type { IceCandidate, IceParameters, SctpParameters, SctpStreamParameters } from 'mediasoup/types';
