/**
 * The message model the MIME layer produces. The shape is the same as the
 * contract's MessageModel and AttachmentInfo (src-protocol/contract/schemas.ts),
 * written out here because mime/ may not import contract/; a test checks that
 * parse output passes the contract's schema, so the service can hand it on
 * unchanged.
 */

export interface ModelAddress {
  /** Display name, decoded; '' when the header gave none. */
  name: string;
  /** The address; '' when the header named a mailbox without one. */
  address: string;
}

export interface ModelAttachment {
  /** The name the message gave, decoded (RFC 2047/2231); null when it gave none. */
  filename: string | null;
  /** A name that is safe to save under, unique among this message's attachments. */
  save_as: string;
  /** The declared content type, lower case, without parameters. */
  content_type: string;
  /** Decoded size in bytes. */
  size: number;
  /** SHA-256 of the decoded bytes, lower-case hex. */
  sha256: string;
  /** Content-ID without the angle brackets, for `cid:` links; null when there is none. */
  content_id: string | null;
  /**
   * True when the part is meant to be shown inside the body: its disposition
   * is inline, or it has none and is referenced by Content-ID from a
   * multipart/related body (an embedded image).
   */
  inline: boolean;
}

export interface ParsedMessage {
  subject: string;
  from: ModelAddress[];
  to: ModelAddress[];
  cc: ModelAddress[];
  /** Where replies should go (Reply-To), when the sender said; empty otherwise. */
  reply_to: ModelAddress[];
  /** UTC ISO 8601 time from the Date header (or the caller's fallback), null when neither. */
  date_iso: string | null;
  /** With angle brackets, as in the header. */
  message_id: string | null;
  in_reply_to: string | null;
  references: string[];
  /** The first text/plain body part, decoded, with \n line ends; null when there is none. */
  text: string | null;
  html_present: boolean;
  /** The HTML body after sanitizeHtml(); null when the message has no HTML part. */
  html_rendered: string | null;
  attachments: ModelAttachment[];
  /**
   * What Postern could not show, in words for the person: a limit that was
   * reached ("This message has more than 1000 parts; only the first ones are
   * shown."), header fields too large to read, a structure that had to be
   * guessed. Empty for a well-formed message.
   */
  notes: string[];
}

export interface AttachmentContent {
  filename: string;
  content_type: string;
  content: Buffer;
}
