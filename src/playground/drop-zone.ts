/** Hands `onFile` the file dropped on `zone` or chosen with its file input. */
export function acceptAudioFiles(zone: HTMLElement, input: HTMLInputElement, onFile: (file: File) => void): void {
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    // Cleared so that choosing the same file again is seen as a new choice.
    input.value = '';
    if (file) onFile(file);
  });
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    zone.classList.add('dragging');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('dragging'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('dragging');
    const file = event.dataTransfer?.files[0];
    if (file) onFile(file);
  });
}
