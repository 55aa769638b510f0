/**
 * xsd:dateTime (RFC 7643 §2.3.5) as an instant. A missing time zone means UTC
 * (never the server's local zone); fractions beyond milliseconds are truncated.
 * A date alone (`2011-05-13`) is midnight UTC, a leniency for hand-written filters.
 */
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):(\d{2}))?$/;

/** Milliseconds since the epoch, or `undefined` when `text` is not a valid date-time. */
export function parseDateTime(text: string): number | undefined {
  const match = DATE_TIME.exec(text);
  if (match === null) return undefined;
  const [
    ,
    year,
    month,
    day,
    hour = "0",
    minute = "0",
    second = "0",
    fraction = "",
    ,
    sign,
    offsetHour,
    offsetMinute,
  ] = match;
  const fields = [
    Number(year),
    Number(month) - 1,
    Number(day),
    Number(hour),
    Number(minute),
    Number(second),
  ] as const;
  const milliseconds = Number(fraction.slice(0, 3).padEnd(3, "0"));
  const date = new Date(
    Date.UTC(fields[0], fields[1], fields[2], fields[3], fields[4], fields[5], milliseconds),
  );
  // Date.UTC rolls over (Feb 30 -> Mar 2); reject instead of guessing.
  if (
    date.getUTCFullYear() !== fields[0] ||
    date.getUTCMonth() !== fields[1] ||
    date.getUTCDate() !== fields[2] ||
    date.getUTCHours() !== fields[3] ||
    date.getUTCMinutes() !== fields[4] ||
    date.getUTCSeconds() !== fields[5]
  ) {
    return undefined;
  }
  let instant = date.getTime();
  if (sign !== undefined) {
    const hours = Number(offsetHour);
    const minutes = Number(offsetMinute);
    if (hours > 23 || minutes > 59) return undefined;
    const offset = (hours * 60 + minutes) * 60_000;
    instant += sign === "+" ? -offset : offset;
  }
  return instant;
}

/** `2011-05-13T04:42:34.000Z`: the form core writes, whose text order is time order. */
export function isCanonicalDateTime(text: string): boolean {
  return (
    text.length === 24 &&
    text.charCodeAt(23) === 90 /* Z */ &&
    text.charCodeAt(10) === 84 /* T */ &&
    text.charCodeAt(19) === 46 /* . */ &&
    text.charCodeAt(4) === 45 /* - */
  );
}
