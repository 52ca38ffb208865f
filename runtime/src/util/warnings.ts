// kafkajs 2.2.4 computes some timer delays from stale timestamps, and Node 24
// warns on every negative delay (TimeoutNegativeWarning; Node clamps it to 1
// ms, which is what kafkajs meant). The warning says nothing a user can act
// on, so the worker drops exactly that one and keeps every other warning.
export function silenceKafkaJsTimerWarnings(): void {
  const emit = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: unknown, ...rest: unknown[]) => {
    const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
    const name = warning instanceof Error ? warning.name : type;
    if (name === 'TimeoutNegativeWarning') return;
    emit(warning, ...rest);
  }) as typeof process.emitWarning;
}
