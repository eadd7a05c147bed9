/** Bytes for people: `512 B`, `3.2 KiB`, `18.3 MiB` (one decimal, binary units). */
export function formatBytes(bytes: number): string {
  return bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MiB` : bytes >= 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${Math.round(bytes)} B`;
}
