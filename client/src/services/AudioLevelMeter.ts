/** Measures a microphone track's loudness (0..1) for the pre-join level meter. */
export class AudioLevelMeter {
  readonly #context: AudioContext;
  readonly #analyser: AnalyserNode;
  readonly #source: MediaStreamAudioSourceNode;
  readonly #buffer: Float32Array<ArrayBuffer>;
  #smoothed = 0;

  constructor(track: MediaStreamTrack) {
    const Ctor: typeof AudioContext = window.AudioContext ?? (window as unknown as { webkitAudioContext: typeof AudioContext }).webkitAudioContext;
    this.#context = new Ctor();
    this.#analyser = this.#context.createAnalyser();
    this.#analyser.fftSize = 1024;
    this.#source = this.#context.createMediaStreamSource(new MediaStream([track]));
    this.#source.connect(this.#analyser);
    this.#buffer = new Float32Array(this.#analyser.fftSize);
    this.resume();
  }

  /** Browsers start audio suspended until the user has interacted with the page. */
  resume(): void {
    if (this.#context.state === 'suspended') void this.#context.resume().catch(() => undefined);
  }

  /** Current level, 0 (silence) to 1 (loud), smoothed so the bar does not flicker. */
  getLevel(): number {
    this.#analyser.getFloatTimeDomainData(this.#buffer);
    let sum = 0;
    for (const sample of this.#buffer) sum += sample * sample;
    const rms = Math.sqrt(sum / this.#buffer.length);
    const level = Math.min(1, Math.sqrt(rms) * 1.6);
    this.#smoothed = level > this.#smoothed ? level : this.#smoothed * 0.85 + level * 0.15;
    return this.#smoothed;
  }

  close(): void {
    this.#source.disconnect();
    void this.#context.close().catch(() => undefined);
  }
}
