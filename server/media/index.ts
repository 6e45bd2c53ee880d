export { WorkerPool, type WorkerPoolEvents, type WorkerPoolOptions } from './WorkerPool.ts';
export { RoomRegistry, type RoomRegistryEvents, type RoomRegistryOptions } from './RoomRegistry.ts';
export { Room, type RoomEvents, type RoomOptions, type JoinResult } from './Room.ts';
export {
  Peer,
  MAX_TRANSPORTS_PER_PEER,
  producerInfo,
  type PeerEvents,
  type PeerOptions,
  type PeerCloseReason,
  type ConsumerCloseReason,
  type ProduceOptions,
  type ProducerData,
  type ConsumerData,
  type MediaProducer,
  type MediaConsumer,
} from './Peer.ts';
export { mediaCodecs, webRtcTransportOptions, listenInfos, INITIAL_AVAILABLE_OUTGOING_BITRATE, MAX_INCOMING_BITRATE } from './mediaCodecs.ts';
export { TypedEmitter } from './TypedEmitter.ts';
