/** Hands a file to the browser to save (the person's downloads; nothing leaves the machine). */
export function downloadFile(file: Blob, fileName: string, keepMs = 10_000): void {
  const url = URL.createObjectURL(file);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.click();
  // The download has started by then; the object URL only holds memory (or, for a file on disk, a handle).
  setTimeout(() => URL.revokeObjectURL(url), keepMs);
}

/** Hands text to the browser as a file to save. */
export function downloadText(text: string, type: string, fileName: string): void {
  downloadFile(new Blob([text], { type }), fileName);
}
