-- AlterTable
ALTER TABLE "JudicialApplication" ADD COLUMN "rulingNumber" TEXT;

-- CreateTable
CREATE TABLE "JudicialRulingCounter" (
    "courtUnitId" TEXT NOT NULL,
    "year" INTEGER NOT NULL,
    "last" INTEGER NOT NULL,

    PRIMARY KEY ("courtUnitId", "year")
);
