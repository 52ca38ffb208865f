// A plugin's version() for status and metrics: a connector or task whose
// version() throws or returns no string must still get its status written.
export function safeVersion(plugin: { version(): string }): string | undefined {
  try {
    const v = plugin.version();
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}
