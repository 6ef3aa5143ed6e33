/** A multipart/form-data body for inject(): text fields (repeatable) and one file. */
export function form(fields: Record<string, string | string[]>, file?: { bytes: Uint8Array; name?: string }): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    for (const v of Array.isArray(value) ? value : [value]) data.append(name, v);
  }
  if (file) data.append('file', new Blob([new Uint8Array(file.bytes)]), file.name ?? 'audio.wav');
  return data;
}
