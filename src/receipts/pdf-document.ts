import PDFDocument from 'pdfkit';

/** Page layout shared by the receipt and statement PDFs (points; A4). */
export const PAGE_MARGIN_PT = 50;
export const TITLE_SIZE_PT = 20;
export const BODY_SIZE_PT = 10;
export const LABEL_COLUMN_PT = 170;

/** Runs `draw` on a new A4 document and resolves with its bytes. Built-in Helvetica covers en and pt-BR (WinAnsi). */
export function renderPdf(title: string, draw: (doc: PDFKit.PDFDocument) => void): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // A fixed creation date keeps the bytes a function of the document's facts alone.
    const doc = new PDFDocument({ size: 'A4', margin: PAGE_MARGIN_PT, info: { Title: title, Producer: 'Purse', CreationDate: new Date(0) }, compress: true });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.font('Helvetica').fontSize(BODY_SIZE_PT);
    draw(doc);
    doc.end();
  });
}

/** One "label   value" row. */
export function fieldRow(doc: PDFKit.PDFDocument, label: string, value: string): void {
  const y = doc.y;
  doc.font('Helvetica-Bold').text(label, PAGE_MARGIN_PT, y, { width: LABEL_COLUMN_PT - 10 });
  const labelEnd = doc.y;
  doc.font('Helvetica').text(value, PAGE_MARGIN_PT + LABEL_COLUMN_PT, y);
  doc.y = Math.max(doc.y, labelEnd);
}

/** The operator's business details, top of every document. */
export function businessHeader(doc: PDFKit.PDFDocument, business: { businessName: string; businessAddress: string; businessTaxId: string }, taxIdLabel: string): void {
  if (business.businessName) doc.font('Helvetica-Bold').text(business.businessName);
  if (business.businessAddress) doc.font('Helvetica').text(business.businessAddress);
  if (business.businessTaxId) doc.font('Helvetica').text(`${taxIdLabel}: ${business.businessTaxId}`);
  doc.moveDown();
}
