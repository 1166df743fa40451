/** Hands text to the browser as a file to save (the person's downloads; nothing leaves the machine). */
export function downloadText(text: string, type: string, fileName: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.click();
  // The download has its own copy by then; the object URL only holds memory.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
