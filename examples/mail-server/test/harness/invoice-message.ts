/**
 * A message with a text part and one base64 attachment, as the antivirus and attachment filter
 * tests send it: the attachment's name and content are the test's to choose.
 */
export function invoiceMessage(fields: {
  readonly from: string;
  readonly to: string;
  readonly id: string;
  readonly attachment: { readonly name: string; readonly content: string };
}): Buffer {
  const { attachment } = fields;
  return Buffer.from(
    [
      `From: <${fields.from}>`,
      `To: <${fields.to}>`,
      'Subject: Your invoice',
      `Message-ID: <${fields.id}>`,
      'Date: Sun, 01 Mar 2026 12:00:00 +0000',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain; charset=us-ascii',
      '',
      'See the attached invoice.',
      '--b',
      `Content-Type: application/octet-stream; name="${attachment.name}"`,
      `Content-Disposition: attachment; filename="${attachment.name}"`,
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from(attachment.content).toString('base64'),
      '--b--',
      '',
    ].join('\r\n'),
  );
}
