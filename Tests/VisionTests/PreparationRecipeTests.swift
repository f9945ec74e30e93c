import Foundation
import Testing
@testable import Vision

@Suite struct PreparationRecipeTests {
    @Test func recipesRoundTrip() throws {
        var tuned = BackgroundRemover()
        tuned.stepTolerance = 12; tuned.globalTolerance = 60
        let preparers = [PhotoPreparer(size: 64), PhotoPreparer(size: 64, background: .alreadyWhite, margin: 0.05),
                         PhotoPreparer(size: 64, background: .floodFill(tuned))]
        #expect(preparers.map(\.recipe) == ["background=flood margin=0.02", "background=white margin=0.05",
                                            "background=flood step=12.0 global=60.0 margin=0.02"])
        for p in preparers {
            let back = try #require(PhotoPreparer(recipe: p.recipe, size: 32))
            #expect(back.recipe == p.recipe)
            #expect(back.size == 32)
        }
    }

    @Test func masksNeedAFolderAndNonsenseIsRefused() {
        let masks = PhotoPreparer(size: 64, background: .externalMasks(URL(fileURLWithPath: "/tmp/masks")))
        #expect(masks.recipe == "background=masks margin=0.02")
        #expect(PhotoPreparer(recipe: masks.recipe, size: 64) == nil)
        #expect(PhotoPreparer(recipe: masks.recipe, size: 64, masks: URL(fileURLWithPath: "/m"))?.recipe == masks.recipe)
        for bad in ["", "background=blur margin=0.02", "background=flood margin=x", "background=flood margin=-1", "flood",
                    "background=flood step=abc"] {
            #expect(PhotoPreparer(recipe: bad, size: 64) == nil, "\(bad)")
        }
    }
}
