-- AlterTable
ALTER TABLE "JudicialApplication" ADD COLUMN     "rulingNumber" TEXT;

-- CreateTable
CREATE TABLE "JudicialRulingCounter" (
    "courtUnitId" TEXT NOT NULL,
    "year" INTEGER NOT NULL,
    "last" INTEGER NOT NULL,

    CONSTRAINT "JudicialRulingCounter_pkey" PRIMARY KEY ("courtUnitId","year")
);
