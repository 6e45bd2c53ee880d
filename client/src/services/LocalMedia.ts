import { Store } from './Store.ts';

/** Why a microphone or camera is not available. */
export type DeviceProblem = 'denied' | 'not-found' | 'in-use' | 'insecure' | 'failed';

export interface DeviceOption {
  deviceId: string;
  label: string;
}

export interface LocalMediaState {
  status: 'idle' | 'requesting' | 'ready';
  audioTrack: MediaStreamTrack | null;
  videoTrack: MediaStreamTrack | null;
  audioProblem: DeviceProblem | null;
  videoProblem: DeviceProblem | null;
  microphones: DeviceOption[];
  cameras: DeviceOption[];
  microphoneId: string | null;
  cameraId: string | null;
  micOn: boolean;
  camOn: boolean;
}

const AUDIO: MediaTrackConstraints = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };
const VIDEO: MediaTrackConstraints = {
  width: { ideal: 1280 },
  height: { ideal: 720 },
  frameRate: { ideal: 24, max: 30 },
};

export function classifyMediaError(error: unknown): DeviceProblem {
  const name = error instanceof DOMException || error instanceof Error ? error.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'PermissionDeniedError':
    case 'SecurityError':
      return 'denied';
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      return 'not-found';
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return 'in-use';
    default:
      return 'failed';
  }
}

/**
 * The camera and microphone before joining: opens them, lists devices, switches between them,
 * and lends copies of the tracks to the MediaSession when the user joins.
 */
export class LocalMedia extends Store<LocalMediaState> {
  #disposed = false;
  readonly #onDeviceChange = () => void this.#enumerate();

  constructor(initial: { micOn?: boolean; camOn?: boolean } = {}) {
    super({
      status: 'idle',
      audioTrack: null,
      videoTrack: null,
      audioProblem: null,
      videoProblem: null,
      microphones: [],
      cameras: [],
      microphoneId: null,
      cameraId: null,
      micOn: initial.micOn ?? true,
      camOn: initial.camOn ?? true,
    });
  }

  static get supported(): boolean {
    return typeof navigator !== 'undefined' && !!navigator.mediaDevices?.getUserMedia;
  }

  /** Asks for camera and microphone; works out separately which of the two failed, if any. */
  async start(): Promise<void> {
    if (this.getSnapshot().status !== 'idle') return;
    if (!LocalMedia.supported) {
      const problem: DeviceProblem = window.isSecureContext ? 'failed' : 'insecure';
      this.setState((s) => ({ ...s, status: 'ready', audioProblem: problem, videoProblem: problem }));
      return;
    }
    this.setState((s) => ({ ...s, status: 'requesting' }));
    navigator.mediaDevices.addEventListener('devicechange', this.#onDeviceChange);

    let audio: MediaStreamTrack | null = null;
    let video: MediaStreamTrack | null = null;
    let audioProblem: DeviceProblem | null = null;
    let videoProblem: DeviceProblem | null = null;
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: AUDIO, video: { ...VIDEO, facingMode: 'user' } });
      audio = stream.getAudioTracks()[0] ?? null;
      video = stream.getVideoTracks()[0] ?? null;
    } catch {
      // One of the two may still work on its own (e.g. a desktop without a camera).
      [audio, audioProblem] = await this.#open('audio', null);
      [video, videoProblem] = await this.#open('video', null);
    }
    if (this.#disposed) {
      audio?.stop();
      video?.stop();
      return;
    }
    this.#watchTrack(audio, 'audio');
    this.#watchTrack(video, 'video');
    this.setState((s) => ({
      ...s,
      status: 'ready',
      audioTrack: audio,
      videoTrack: video,
      audioProblem,
      videoProblem,
      microphoneId: audio?.getSettings().deviceId ?? null,
      cameraId: video?.getSettings().deviceId ?? null,
    }));
    this.#applyEnabled();
    await this.#enumerate();
  }

  /** Tries again after the user changed a permission or plugged a device in. */
  async retry(): Promise<void> {
    this.#stopTracks();
    this.setState((s) => ({ ...s, status: 'idle', audioTrack: null, videoTrack: null, audioProblem: null, videoProblem: null }));
    await this.start();
  }

  async selectMicrophone(deviceId: string): Promise<void> {
    await this.#switch('audio', deviceId);
  }

  async selectCamera(deviceId: string): Promise<void> {
    await this.#switch('video', deviceId);
  }

  setMicOn(on: boolean): void {
    this.setState((s) => ({ ...s, micOn: on }));
    this.#applyEnabled();
  }

  setCamOn(on: boolean): void {
    this.setState((s) => ({ ...s, camOn: on }));
    this.#applyEnabled();
  }

  /** Opens a fresh track with the chosen device (used by the room to switch a device on later). */
  acquire = async (kind: 'audio' | 'video'): Promise<MediaStreamTrack> => {
    const s = this.getSnapshot();
    const id = kind === 'audio' ? s.microphoneId : s.cameraId;
    const stream = await navigator.mediaDevices.getUserMedia(constraintsFor(kind, id));
    const track = kind === 'audio' ? stream.getAudioTracks()[0] : stream.getVideoTracks()[0];
    if (!track) throw new DOMException('No track', 'NotFoundError');
    return track;
  };

  /**
   * Copies of the tracks for a MediaSession, which stops its copies when it ends. This object
   * keeps the originals (a remounted room gets fresh copies) and stops them on dispose().
   */
  lend(): { audioTrack: MediaStreamTrack | null; videoTrack: MediaStreamTrack | null; micOn: boolean; camOn: boolean } {
    const s = this.getSnapshot();
    const live = (track: MediaStreamTrack | null) => (track && track.readyState === 'live' ? track.clone() : null);
    return { audioTrack: live(s.audioTrack), videoTrack: live(s.videoTrack), micOn: s.micOn, camOn: s.camOn };
  }

  /** Stops the devices. Idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    if (LocalMedia.supported) navigator.mediaDevices.removeEventListener('devicechange', this.#onDeviceChange);
    this.#stopTracks();
  }

  async #open(kind: 'audio' | 'video', deviceId: string | null): Promise<[MediaStreamTrack | null, DeviceProblem | null]> {
    try {
      const stream = await navigator.mediaDevices.getUserMedia(constraintsFor(kind, deviceId));
      const track = (kind === 'audio' ? stream.getAudioTracks() : stream.getVideoTracks())[0] ?? null;
      return [track, track ? null : 'not-found'];
    } catch (error) {
      return [null, classifyMediaError(error)];
    }
  }

  async #switch(kind: 'audio' | 'video', deviceId: string): Promise<void> {
    const key = kind === 'audio' ? 'audioTrack' : 'videoTrack';
    const old = this.getSnapshot()[key];
    // Release the old device first: some phones cannot open two cameras at once.
    old?.stop();
    const [track, problem] = await this.#open(kind, deviceId);
    if (this.#disposed) {
      track?.stop();
      return;
    }
    this.#watchTrack(track, kind);
    this.setState((s) =>
      kind === 'audio'
        ? { ...s, audioTrack: track, audioProblem: problem, microphoneId: track ? deviceId : s.microphoneId }
        : { ...s, videoTrack: track, videoProblem: problem, cameraId: track ? deviceId : s.cameraId },
    );
    this.#applyEnabled();
    await this.#enumerate();
  }

  #watchTrack(track: MediaStreamTrack | null, kind: 'audio' | 'video'): void {
    track?.addEventListener('ended', () => {
      const key = kind === 'audio' ? 'audioTrack' : 'videoTrack';
      if (this.getSnapshot()[key] !== track) return;
      this.setState((s) => ({ ...s, [key]: null, [kind === 'audio' ? 'audioProblem' : 'videoProblem']: 'not-found' }));
    });
  }

  async #enumerate(): Promise<void> {
    if (!LocalMedia.supported || this.#disposed) return;
    try {
      const devices = await navigator.mediaDevices.enumerateDevices();
      const list = (kind: MediaDeviceKind) =>
        devices.filter((d) => d.kind === kind && d.deviceId !== '').map((d) => ({ deviceId: d.deviceId, label: d.label }));
      this.setState((s) => ({ ...s, microphones: list('audioinput'), cameras: list('videoinput') }));
    } catch {
      /* keep the previous lists */
    }
  }

  #applyEnabled(): void {
    const s = this.getSnapshot();
    if (s.audioTrack) s.audioTrack.enabled = s.micOn;
    if (s.videoTrack) s.videoTrack.enabled = s.camOn;
  }

  #stopTracks(): void {
    const s = this.getSnapshot();
    s.audioTrack?.stop();
    s.videoTrack?.stop();
  }
}

function constraintsFor(kind: 'audio' | 'video', deviceId: string | null): MediaStreamConstraints {
  const device = deviceId ? { deviceId: { exact: deviceId } } : {};
  return kind === 'audio' ? { audio: { ...AUDIO, ...device } } : { video: { ...VIDEO, ...(deviceId ? device : { facingMode: 'user' }) } };
}
