-- CreateTable
CREATE TABLE "Agreement" (
    "id" TEXT NOT NULL,
    "caseId" TEXT NOT NULL,
    "templateId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "currentRev" INTEGER NOT NULL,
    "frozenRev" INTEGER,
    "frozenHash" TEXT,
    "signingOrder" TEXT NOT NULL DEFAULT 'parties_first',
    "requireWitness" BOOLEAN NOT NULL DEFAULT false,
    "createdById" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Agreement_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AgreementComment" (
    "id" TEXT NOT NULL,
    "agreementId" TEXT NOT NULL,
    "revision" INTEGER NOT NULL,
    "clauseIndex" INTEGER NOT NULL,
    "author" TEXT NOT NULL,
    "authorName" TEXT NOT NULL,
    "side" TEXT,
    "text" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AgreementComment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AgreementDocument" (
    "id" TEXT NOT NULL,
    "agreementId" TEXT NOT NULL,
    "caseId" TEXT NOT NULL,
    "revisionHash" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "verificationCode" TEXT NOT NULL,
    "timelineHash" TEXT NOT NULL,
    "events" TEXT NOT NULL,
    "sealedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AgreementDocument_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AgreementOtp" (
    "id" TEXT NOT NULL,
    "agreementId" TEXT NOT NULL,
    "partyId" TEXT NOT NULL,
    "revisionHash" TEXT NOT NULL,
    "codeHash" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "consumedAt" TIMESTAMP(3),

    CONSTRAINT "AgreementOtp_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AgreementRevision" (
    "id" TEXT NOT NULL,
    "agreementId" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "content" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "authorId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AgreementRevision_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AgreementSignature" (
    "id" TEXT NOT NULL,
    "agreementId" TEXT NOT NULL,
    "revision" INTEGER NOT NULL,
    "revisionHash" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "partyId" TEXT,
    "userId" TEXT,
    "actor" TEXT NOT NULL,
    "signerName" TEXT NOT NULL,
    "side" TEXT,
    "refusalReason" TEXT,
    "imagePng" BYTEA,
    "imageSha256" TEXT,
    "consentTextSha256" TEXT,
    "identityMethod" TEXT NOT NULL,
    "ip" TEXT NOT NULL,
    "userAgent" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "cancelledAt" TIMESTAMP(3),

    CONSTRAINT "AgreementSignature_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AgreementSigningLink" (
    "id" TEXT NOT NULL,
    "agreementId" TEXT NOT NULL,
    "partyId" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "AgreementSigningLink_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SmsOutbox" (
    "id" TEXT NOT NULL,
    "phone" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "purpose" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SmsOutbox_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Agreement_caseId_key" ON "Agreement"("caseId");

-- CreateIndex
CREATE INDEX "AgreementComment_agreementId_idx" ON "AgreementComment"("agreementId");

-- CreateIndex
CREATE UNIQUE INDEX "AgreementDocument_agreementId_key" ON "AgreementDocument"("agreementId");

-- CreateIndex
CREATE UNIQUE INDEX "AgreementDocument_sha256_key" ON "AgreementDocument"("sha256");

-- CreateIndex
CREATE UNIQUE INDEX "AgreementDocument_verificationCode_key" ON "AgreementDocument"("verificationCode");

-- CreateIndex
CREATE INDEX "AgreementDocument_caseId_idx" ON "AgreementDocument"("caseId");

-- CreateIndex
CREATE INDEX "AgreementOtp_agreementId_partyId_idx" ON "AgreementOtp"("agreementId", "partyId");

-- CreateIndex
CREATE UNIQUE INDEX "AgreementRevision_agreementId_number_key" ON "AgreementRevision"("agreementId", "number");

-- CreateIndex
CREATE INDEX "AgreementSignature_imageSha256_idx" ON "AgreementSignature"("imageSha256");

-- CreateIndex
CREATE INDEX "AgreementSignature_agreementId_revisionHash_idx" ON "AgreementSignature"("agreementId", "revisionHash");

-- CreateIndex
CREATE UNIQUE INDEX "AgreementSigningLink_tokenHash_key" ON "AgreementSigningLink"("tokenHash");

-- CreateIndex
CREATE INDEX "AgreementSigningLink_agreementId_idx" ON "AgreementSigningLink"("agreementId");

