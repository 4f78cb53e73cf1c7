import { describe, expect, it } from 'vitest';
import {
  slackSignature,
  twitchSignature,
  verifyDiscordSignature,
  verifySlackSignature,
  verifyTwitchSignature,
} from '../src/index.js';
import { discordKeyPair } from '../src/testing/index.js';

describe('platform signatures', () => {
  it('Twitch EventSub: the twitch_api crate vector', () => {
    const body = `{"subscription":{"id":"ae2ff348-e102-16be-a3eb-6830c1bf38d2","status":"enabled","type":"channel.follow","version":"1","condition":{"broadcaster_user_id":"44429626"},"transport":{"method":"webhook","callback":"null"},"created_at":"2021-02-19T23:47:00.7621315Z"},"event":{"user_id":"28408015","user_login":"testFromUser","user_name":"testFromUser","broadcaster_user_id":"44429626","broadcaster_user_login":"44429626","broadcaster_user_name":"testBroadcaster"}}`;
    const expected = 'sha256=d10f5bd9474b7ac7bd7105eb79c2d52768b4d0cd2a135982c3bf5a1d59a78823';
    expect(
      twitchSignature(
        'secretabcd',
        'ae2ff348-e102-16be-a3eb-6830c1bf38d2',
        '2021-02-19T23:47:00.8091512Z',
        body,
      ),
    ).toBe(expected);
    expect(
      verifyTwitchSignature(
        'secretabcd',
        'ae2ff348-e102-16be-a3eb-6830c1bf38d2',
        '2021-02-19T23:47:00.8091512Z',
        body,
        expected,
      ),
    ).toBe(true);
    expect(
      verifyTwitchSignature(
        'secretabcd',
        'ae2ff348-e102-16be-a3eb-6830c1bf38d2',
        '2021-02-19T23:47:00.8091512Z',
        body + ' ',
        expected,
      ),
    ).toBe(false);
  });

  it("Slack v0: Slack's documented example", () => {
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    const expected = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';
    expect(slackSignature('8f742231b10e8888abcd99yyyzzz85a5', '1531420618', body)).toBe(expected);
    expect(verifySlackSignature('8f742231b10e8888abcd99yyyzzz85a5', '1531420618', body, expected)).toBe(true);
    expect(verifySlackSignature('8f742231b10e8888abcd99yyyzzz85a5', '1531420619', body, expected)).toBe(
      false,
    );
  });

  it('Discord Ed25519 with a generated key pair', () => {
    const pair = discordKeyPair();
    const body = '{"type":1}';
    const h = pair.headers(body, '1700000000');
    expect(verifyDiscordSignature(pair.publicKeyHex, '1700000000', body, h['X-Signature-Ed25519']!)).toBe(
      true,
    );
    expect(verifyDiscordSignature(pair.publicKeyHex, '1700000001', body, h['X-Signature-Ed25519']!)).toBe(
      false,
    );
    expect(
      verifyDiscordSignature(pair.publicKeyHex, '1700000000', '{"type":2}', h['X-Signature-Ed25519']!),
    ).toBe(false);
    expect(
      verifyDiscordSignature(discordKeyPair().publicKeyHex, '1700000000', body, h['X-Signature-Ed25519']!),
    ).toBe(false);
    expect(verifyDiscordSignature(pair.publicKeyHex, '1700000000', body, 'zz')).toBe(false);
  });
});
