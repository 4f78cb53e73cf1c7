import { describe, expect, it } from 'vitest';
import {
  slackSignature,
  twitchSignature,
  verifyDiscordSignature,
  verifySlackSignature,
  verifyTwitchSignature,
} from '../../src/index.js';
import { discordKeyPair } from '../../src/testing/index.js';
import { epochSecondsHeader, withinReplayWindow } from '../../src/receiver/index.js';

describe('Slack v0 signature: the documented example', () => {
  const secret = '8f742231b10e8888abcd99yyyzzz85a5';
  const timestamp = '1531420618';
  const body =
    'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
  const expected = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';

  it('computes and verifies the published signature, inside the window at the pinned clock', () => {
    expect(slackSignature(secret, timestamp, body)).toBe(expected);
    expect(verifySlackSignature(secret, timestamp, Buffer.from(body), expected)).toBe(true);
    const pinned = Number(timestamp) * 1000;
    expect(withinReplayWindow(epochSecondsHeader(timestamp), pinned, 300, 300)).toBe(true);
    expect(withinReplayWindow(epochSecondsHeader(timestamp), pinned + 301_000, 300, 300)).toBe(false);
  });

  it('rejects a changed body, timestamp or signature', () => {
    expect(verifySlackSignature(secret, timestamp, body.replace('roadrunner', 'roadrunnes'), expected)).toBe(
      false,
    );
    expect(verifySlackSignature(secret, '1531420619', body, expected)).toBe(false);
    expect(verifySlackSignature(secret, timestamp, body, expected.slice(0, -1) + '4')).toBe(false);
    expect(verifySlackSignature(secret, timestamp, body, 'v0=short')).toBe(false);
  });
});

describe('Twitch EventSub signature: the twitch_api crate vector', () => {
  const secret = 'secretabcd';
  const messageId = 'ae2ff348-e102-16be-a3eb-6830c1bf38d2';
  const timestamp = '2021-02-19T23:47:00.8091512Z';
  const body =
    '{"subscription":{"id":"ae2ff348-e102-16be-a3eb-6830c1bf38d2","status":"enabled","type":"channel.follow","version":"1","condition":{"broadcaster_user_id":"44429626"},"transport":{"method":"webhook","callback":"null"},"created_at":"2021-02-19T23:47:00.7621315Z"},"event":{"user_id":"28408015","user_login":"testFromUser","user_name":"testFromUser","broadcaster_user_id":"44429626","broadcaster_user_login":"44429626","broadcaster_user_name":"testBroadcaster"}}';
  const expected = 'sha256=d10f5bd9474b7ac7bd7105eb79c2d52768b4d0cd2a135982c3bf5a1d59a78823';

  it('the body is the 458-byte vector and verifies with the clock pinned to its timestamp', () => {
    expect(Buffer.byteLength(body)).toBe(458);
    expect(twitchSignature(secret, messageId, timestamp, body)).toBe(expected);
    expect(verifyTwitchSignature(secret, messageId, timestamp, Buffer.from(body), expected)).toBe(true);
    const pinned = Date.parse(timestamp);
    expect(withinReplayWindow(Date.parse(timestamp), pinned, 600, 60)).toBe(true);
    expect(withinReplayWindow(Date.parse(timestamp), pinned + 601_000, 600, 60)).toBe(false);
    expect(withinReplayWindow(Date.parse(timestamp), pinned - 61_000, 600, 60)).toBe(false);
  });

  it('rejects any change of id, timestamp, body or signature', () => {
    expect(verifyTwitchSignature(secret, messageId.replace('a', 'b'), timestamp, body, expected)).toBe(false);
    expect(verifyTwitchSignature(secret, messageId, '2021-02-19T23:47:00.8091513Z', body, expected)).toBe(
      false,
    );
    expect(
      verifyTwitchSignature(secret, messageId, timestamp, body.replace('44429626', '44429627'), expected),
    ).toBe(false);
    expect(verifyTwitchSignature('secretabce', messageId, timestamp, body, expected)).toBe(false);
    expect(verifyTwitchSignature(secret, messageId, timestamp, body, expected.toUpperCase())).toBe(false);
  });
});

describe('Discord Ed25519 with a generated key pair', () => {
  it('verifies a signed request and rejects tampering, a foreign key and malformed hex', () => {
    const keys = discordKeyPair();
    const body = '{"type":1,"id":"1"}';
    const headers = keys.headers(body, '1700000000');
    const sig = headers['X-Signature-Ed25519']!;
    expect(verifyDiscordSignature(keys.publicKeyHex, '1700000000', body, sig)).toBe(true);
    expect(verifyDiscordSignature(keys.publicKeyHex, '1700000001', body, sig)).toBe(false);
    expect(verifyDiscordSignature(keys.publicKeyHex, '1700000000', body.replace('1"', '2"'), sig)).toBe(
      false,
    );
    expect(verifyDiscordSignature(discordKeyPair().publicKeyHex, '1700000000', body, sig)).toBe(false);
    expect(verifyDiscordSignature(keys.publicKeyHex, '1700000000', body, 'zz' + sig.slice(2))).toBe(false);
    expect(verifyDiscordSignature('abc', '1700000000', body, sig)).toBe(false);
  });

  it('epoch-seconds headers must be plain integers', () => {
    expect(epochSecondsHeader('1700000000')).toBe(1_700_000_000_000);
    expect(Number.isNaN(epochSecondsHeader('1.7e9'))).toBe(true);
    expect(Number.isNaN(epochSecondsHeader(undefined))).toBe(true);
  });
});
