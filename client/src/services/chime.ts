/*
 * A short two-note tone (WebAudio, no sound file) for "someone is waiting to be let in".
 * The context is made on first use; browsers allow it because the mediator has already pressed
 * the join button on this page.
 */

let context: AudioContext | null = null;

/** Plays the tone; resolves to whether the browser let it sound (false when audio is blocked). */
export async function playChime(): Promise<boolean> {
  try {
    context ??= new AudioContext();
    if (context.state === 'suspended') await context.resume();
    if (context.state !== 'running') return false;
    const now = context.currentTime;
    for (const [i, frequency] of [660, 880].entries()) {
      const start = now + i * 0.18;
      const oscillator = context.createOscillator();
      const gain = context.createGain();
      oscillator.type = 'sine';
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(0.25, start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.16);
      oscillator.connect(gain).connect(context.destination);
      oscillator.start(start);
      oscillator.stop(start + 0.17);
    }
    return true;
  } catch {
    return false;
  }
}
