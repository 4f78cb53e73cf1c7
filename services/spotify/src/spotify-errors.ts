/** Why a Spotify call could not be made or was refused; chat-commands words each for the user. */
export type SpotifyFailureKind =
  /** No token for the community, or Spotify revoked it (invalid_grant). */
  | 'not_connected'
  /** SPOTIFY_CLIENT_ID / SPOTIFY_CLIENT_SECRET unset (contracts §17.4). */
  | 'not_configured'
  /** 404 with reason NO_ACTIVE_DEVICE. */
  | 'no_active_device'
  /** 403: playback control needs Premium. */
  | 'premium_required'
  /** Anything else: an error status, a timeout, an unreadable answer. */
  | 'unavailable';

export class SpotifyFailure extends Error {
  constructor(
    readonly kind: SpotifyFailureKind,
    /** Status or error class for the log; never a token or a URL with secrets. */
    readonly reason: string,
  ) {
    super(`spotify ${kind}: ${reason}`);
    this.name = 'SpotifyFailure';
  }
}
