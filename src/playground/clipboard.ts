/**
 * Copies text to the clipboard. The Clipboard API exists only on secure pages (https, localhost),
 * and the server is often reached over plain http on a network; there, a selected textarea is copied.
 */
export async function copyText(text: string): Promise<void> {
  if (navigator.clipboard) return navigator.clipboard.writeText(text);
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.className = 'visually-hidden';
  document.body.append(area);
  area.select();
  const copied = document.execCommand('copy');
  area.remove();
  if (!copied) throw new Error('This browser refused to copy; select the text and copy it by hand.');
}
