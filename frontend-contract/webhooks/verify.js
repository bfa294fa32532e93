// Verify a Partner Portal webhook (copy this file into your receiver; Node.js >= 16,
// no dependencies).
//
//   const { verifyWebhook } = require("./verify.js");
//   // rawBody: the exact bytes received (e.g. express.raw({ type: "application/json" }))
//   let event;
//   try {
//     event = verifyWebhook(rawBody, req.headers, process.env.PORTAL_WEBHOOK_SECRET);
//   } catch (err) {
//     return res.status(400).end(); // do not process it
//   }
//   if (await alreadySeen(event.id)) return res.status(200).end(); // retries repeat the id
//   await process(event);
//   res.status(200).end();
//
// `secret` may be an array: during a rotation keep both your old and new secret until
// the overlap ends.
"use strict";

const crypto = require("crypto");

const SIGNATURE_HEADER = "x-portal-signature";
const TIMESTAMP_HEADER = "x-portal-timestamp";
const EVENT_ID_HEADER = "x-portal-event-id";
const DEFAULT_TOLERANCE_SECONDS = 300;

class WebhookVerificationError extends Error {}

function header(headers, name) {
  // Header names are case-insensitive; Node lower-cases them, other hosts may not.
  for (const key of Object.keys(headers || {})) {
    if (key.toLowerCase() === name) {
      const value = headers[key];
      return Array.isArray(value) ? value.join(",") : String(value);
    }
  }
  throw new WebhookVerificationError(`missing ${name} header`);
}

function verifyWebhook(rawBody, headers, secret, options = {}) {
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const now = options.now ?? Date.now() / 1000;
  const body = Buffer.isBuffer(rawBody) ? rawBody : Buffer.from(String(rawBody), "utf8");
  const secrets = Array.isArray(secret) ? secret : [secret];
  if (secrets.length === 0 || secrets.some((s) => typeof s !== "string" || !s)) {
    throw new WebhookVerificationError("no secret given");
  }
  const timestamp = header(headers, TIMESTAMP_HEADER).trim();
  if (!/^\d+$/.test(timestamp)) throw new WebhookVerificationError("malformed timestamp");
  // The timestamp is signed, so an old request replayed later fails here.
  if (Math.abs(now - Number(timestamp)) > tolerance) {
    throw new WebhookVerificationError("timestamp outside the tolerance");
  }
  // One v1=<hex> per signing secret (two during a rotation overlap).
  const received = header(headers, SIGNATURE_HEADER)
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part.startsWith("v1="))
    .map((part) => part.slice(3));
  if (received.length === 0) throw new WebhookVerificationError("no v1 signature");
  const message = Buffer.concat([Buffer.from(`${timestamp}.`, "utf8"), body]);
  let matched = false;
  for (const s of secrets) {
    const expected = Buffer.from(
      crypto.createHmac("sha256", s).update(message).digest("hex"), "utf8");
    for (const candidate of received) {
      const given = Buffer.from(candidate, "utf8");
      // Constant-time comparison (lengths must match first; a length says nothing secret).
      if (given.length === expected.length && crypto.timingSafeEqual(given, expected)) {
        matched = true;
      }
    }
  }
  if (!matched) throw new WebhookVerificationError("signature mismatch");
  const event = JSON.parse(body.toString("utf8"));
  if (header(headers, EVENT_ID_HEADER) !== event.id) {
    throw new WebhookVerificationError("event id header does not match the body");
  }
  return event;
}

module.exports = { verifyWebhook, WebhookVerificationError };
