// Header helpers shared by the header transforms.
import type { Header } from '../sdk/index.js';

export function headersOf(headers: readonly Header[] | undefined): Header[] {
  return headers ? [...headers] : [];
}
