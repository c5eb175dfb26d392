/** The stream's lease was lost: another copy writes its playlists now; stop at once. */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
}
