import { describe, expect, it } from "vitest";
import { PENALTY_INVALID, PeerScores } from "./peer-scores.js";

function scores(banDurationMs = 10_000) {
  const clock = { now: 1_000_000 };
  const s = new PeerScores({ banThreshold: -90, halfLifeMs: 60_000, banDurationMs }, () => clock.now);
  return { s, clock };
}

describe("peer scores", () => {
  it("bans on the fifth quick invalid message, for the ban duration", () => {
    const { s, clock } = scores();
    for (let i = 0; i < 4; i++) expect(s.penalize("p", PENALTY_INVALID)).toBe(false);
    expect(s.score("p")).toBe(-80);
    expect(s.penalize("p", PENALTY_INVALID)).toBe(true);
    expect(s.isBanned("p")).toBe(true);
    expect(s.isBanned("q")).toBe(false);
    clock.now += 9_999;
    expect(s.isBanned("p")).toBe(true);
    clock.now += 1;
    expect(s.isBanned("p")).toBe(false);
    expect(s.score("p")).toBe(0);
  });

  it("lets penalties decay, so scattered errors never ban", () => {
    const { s, clock } = scores();
    s.penalize("p", PENALTY_INVALID);
    clock.now += 60_000;
    expect(s.score("p")).toBeCloseTo(-10, 6);
    for (let i = 0; i < 20; i++) {
      clock.now += 60_000;
      expect(s.penalize("p", PENALTY_INVALID)).toBe(false);
    }
  });

  it("with a zero ban duration only disconnects", () => {
    const { s } = scores(0);
    let crossed = false;
    for (let i = 0; i < 5; i++) crossed = s.penalize("p", PENALTY_INVALID);
    expect(crossed).toBe(true);
    expect(s.isBanned("p")).toBe(false);
  });
});
